//! The SVG backend of the charts, measuring text without a font.

use plotters::backend::{DrawingBackend, SVGBackend};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform,
};
use std::path::Path;

/// The SVG backend, measuring text without a font: the SVG names a font family and the
/// viewer draws the text, so our layout needs only an estimate of each label's extent.
/// plotters' own estimate asks the registered font, which fails where there is none.
pub struct SvgText<'a>(SVGBackend<'a>);

impl<'a> SvgText<'a> {
    pub fn new(path: &'a Path, size: (u32, u32)) -> Self {
        SvgText(SVGBackend::new(path, size))
    }

    /// Draws into `buf` instead of a file.
    pub fn with_string(buf: &'a mut String, size: (u32, u32)) -> Self {
        SvgText(SVGBackend::with_string(buf, size))
    }
}

/// Width of `text` in ems: CJK ideographs, kana, hangul and full-width forms take a whole
/// em; other characters about half of one (an average for Latin, Cyrillic and digits).
fn text_ems(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            c if crate::text::is_wide(c) => 1.0,
            _ if c.is_whitespace() => 0.3,
            _ => 0.56,
        })
        .sum()
}

impl DrawingBackend for SvgText<'_> {
    type ErrorType = <SVGBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_text(text, style, pos)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        // The SVG writes `font-size = size / 1.24` (see plotters-svg), one em.
        let em = style.size() / 1.24;
        let width = (text_ems(text) * em).round() as u32;
        let height = em.round() as u32;
        Ok(match style.transform() {
            FontTransform::Rotate90 | FontTransform::Rotate270 => (height, width),
            FontTransform::None | FontTransform::Rotate180 => (width, height),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_wider_than_latin_of_the_same_length() {
        assert_eq!(text_ems("合作"), 2.0);
        assert!(text_ems("ab") < 1.2);
        assert!(text_ems("安全合作拓展 (security)") > text_ems("security"));
        assert_eq!(text_ems(""), 0.0);
    }

    #[test]
    fn an_svg_with_chinese_text_is_drawn_without_any_font() {
        use plotters::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.svg");
        {
            let root = SvgText::new(&path, (400, 300)).into_drawing_area();
            root.fill(&WHITE).unwrap();
            let mut chart = ChartBuilder::on(&root)
                .caption("安全合作拓展", ("sans-serif", 20))
                .x_label_area_size(30)
                .y_label_area_size(30)
                .build_cartesian_2d(0..10, 0..10)
                .unwrap();
            chart.configure_mesh().x_desc("年份").draw().unwrap();
            root.present().unwrap();
        }
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(
            svg.contains("安全合作拓展") && svg.contains("年份"),
            "{svg}"
        );
    }
}
