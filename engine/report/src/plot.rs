//! Figures (PNG and SVG, drawn with plotters): aggregate intervals,
//! performance profiles, probability of improvement, learning curves.
//!
//! Text is drawn with DejaVu Sans, compiled in from `assets/fonts/`, so
//! bitmaps render the same on every machine without system fonts.

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use crate::analysis::Evaluation;
use crate::bootstrap::Interval;
use crate::error::ReportError;
use crate::stats::Metric;

const FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const FONT: &str = "sans-serif";

/// Tableau-10 colours, one per algorithm in order.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn ensure_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and known to parse; a failure would only
        // leave text undrawn, which the drawing calls then report.
        let _ = register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
}

type DrawResult = Result<(), String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A figure that can draw itself on any plotters backend.
trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// Writes `stem.png` and `stem.svg` in `dir`; returns their paths.
fn render<F: Figure>(fig: &F, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, ReportError> {
    ensure_font();
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    let plot_err = |path: &Path, message: String| ReportError::Plot {
        path: path.to_path_buf(),
        message,
    };
    {
        let root = BitMapBackend::new(&png, fig.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_err(&png, err(e)))?;
        fig.draw(&root).map_err(|m| plot_err(&png, m))?;
        root.present().map_err(|e| plot_err(&png, err(e)))?;
    }
    {
        let root = SVGBackend::new(&svg, fig.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_err(&svg, err(e)))?;
        fig.draw(&root).map_err(|m| plot_err(&svg, m))?;
        root.present().map_err(|e| plot_err(&svg, err(e)))?;
    }
    Ok(vec![png, svg])
}

/// Range covering every value with a 5% margin on each side.
fn padded_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    (lo - 0.05 * span)..(hi + 0.05 * span)
}

fn tick_label(v: f64) -> String {
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    let a = v.abs();
    if a >= 1e9 || (v != 0.0 && a < 1e-3) {
        format!("{v:.1e}")
    } else if a >= 1e6 {
        format!("{}M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else {
        trim(format!("{v:.2}"))
    }
}

/// Rows of horizontal interval bars, one per named entry.
struct IntervalRows<'a> {
    title: &'a str,
    names: &'a [String],
    intervals: &'a [Interval],
    colors: &'a [RGBColor],
    /// Write the names left of the axis.
    show_names: bool,
    x_range: std::ops::Range<f64>,
    /// A vertical reference line.
    reference: Option<f64>,
}

fn draw_interval_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows_spec: &IntervalRows<'_>,
) -> DrawResult {
    let IntervalRows {
        title,
        names,
        intervals,
        colors,
        show_names,
        ref x_range,
        reference,
    } = *rows_spec;
    let x_range = x_range.clone();
    let n = names.len();
    let label_width = if show_names {
        names.iter().map(|s| s.chars().count()).max().unwrap_or(4) as u32 * 9 + 16
    } else {
        8
    };
    let rows = n.max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 20))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(label_width)
        .build_cartesian_2d(x_range.clone(), 0.0..rows)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(5)
        .x_label_formatter(&|v| tick_label(*v))
        .label_style((FONT, 14))
        .draw()
        .map_err(err)?;
    // Entry k is drawn in row n - 1 - k (rows count from the bottom), so the
    // first entry is on top; names are written left of the axis.
    let row = |k: usize| (n - 1 - k) as f64;
    if show_names {
        let (base_x, base_y) = area.get_base_pixel();
        let style =
            TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
        for (k, name) in names.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(x_range.start, row(k) + 0.5));
            area.draw(&Text::new(
                name.clone(),
                (px - base_x - 8, py - base_y),
                style.clone(),
            ))
            .map_err(err)?;
        }
    }
    if let Some(r) = reference {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(r, 0.0), (r, rows)],
                BLACK.mix(0.4).stroke_width(1),
            )))
            .map_err(err)?;
    }
    for (k, (iv, c)) in intervals.iter().zip(colors).enumerate() {
        let y = row(k);
        let mut bar = Rectangle::new([(iv.lower, y), (iv.upper, y + 1.0)], c.mix(0.75).filled());
        bar.set_margin(8, 8, 0, 0);
        chart.draw_series(std::iter::once(bar)).map_err(err)?;
        let mut tick = Rectangle::new(
            [(iv.estimate, y), (iv.estimate, y + 1.0)],
            BLACK.stroke_width(3),
        );
        tick.set_margin(4, 4, 0, 0);
        chart.draw_series(std::iter::once(tick)).map_err(err)?;
    }
    Ok(())
}

struct AggregatePlot<'a>(&'a Evaluation);

impl Figure for AggregatePlot<'_> {
    fn size(&self) -> (u32, u32) {
        (1400, 120 + 50 * self.0.algorithms.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let eval = self.0;
        let names: Vec<String> = eval.algorithms.iter().map(|a| a.name.clone()).collect();
        let colors: Vec<RGBColor> = (0..names.len()).map(color).collect();
        let label_width = names.iter().map(|s| s.chars().count()).max().unwrap_or(4) as u32 * 9 + 8;
        let (w, _) = root.dim_in_pixel();
        let (first, rest) = root.split_horizontally(label_width + (w - label_width) / 4);
        let rest_panels = rest.split_evenly((1, 3));
        let panels = std::iter::once(&first).chain(rest_panels.iter());
        let metrics = [
            Metric::Median,
            Metric::Iqm,
            Metric::Mean,
            Metric::OptimalityGap,
        ];
        for (k, (panel, metric)) in panels.zip(metrics).enumerate() {
            let intervals: Vec<Interval> = eval
                .algorithms
                .iter()
                .map(|a| a.aggregates.get(metric))
                .collect();
            let range = padded_range(
                intervals
                    .iter()
                    .flat_map(|i| [i.lower, i.upper, i.estimate]),
            );
            draw_interval_rows(
                panel,
                &IntervalRows {
                    title: metric.label(),
                    names: &names,
                    intervals: &intervals,
                    colors: &colors,
                    show_names: k == 0,
                    x_range: range,
                    reference: None,
                },
            )?;
        }
        Ok(())
    }
}

struct ImprovementPlot<'a>(&'a Evaluation);

/// Pairs with X listed before Y: P(Y > X) = 1 - P(X > Y) adds nothing.
fn shown_improvements(eval: &Evaluation) -> Vec<&crate::analysis::Improvement> {
    let pos = |name: &str| eval.algorithms.iter().position(|a| a.name == name);
    eval.improvements
        .iter()
        .filter(|i| pos(&i.x) < pos(&i.y))
        .collect()
}

impl Figure for ImprovementPlot<'_> {
    fn size(&self) -> (u32, u32) {
        (900, 120 + 45 * shown_improvements(self.0).len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let eval = self.0;
        let shown = shown_improvements(eval);
        let names: Vec<String> = shown.iter().map(|i| format!("{} > {}", i.x, i.y)).collect();
        let intervals: Vec<Interval> = shown.iter().map(|i| i.interval).collect();
        let colors: Vec<RGBColor> = shown
            .iter()
            .map(|i| {
                color(
                    eval.algorithms
                        .iter()
                        .position(|a| a.name == i.x)
                        .unwrap_or(0),
                )
            })
            .collect();
        draw_interval_rows(
            root,
            &IntervalRows {
                title: "Probability of improvement P(X > Y)",
                names: &names,
                intervals: &intervals,
                colors: &colors,
                show_names: true,
                x_range: 0.0..1.0,
                reference: Some(0.5),
            },
        )
    }
}

/// Lines with shaded bands, one per named series.
fn draw_bands<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[(String, Vec<(f64, Interval)>)],
    y_range: Option<std::ops::Range<f64>>,
) -> DrawResult {
    let x_range = padded_range(series.iter().flat_map(|(_, p)| p.iter().map(|(x, _)| *x)));
    let x_range = x_range.start.max(series_min_x(series))..x_range.end;
    let y_range = y_range.unwrap_or_else(|| {
        padded_range(
            series
                .iter()
                .flat_map(|(_, p)| p.iter().flat_map(|(_, i)| [i.lower, i.upper])),
        )
    });
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 22))
        .margin(12)
        .x_label_area_size(46)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range, y_range)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| tick_label(*v))
        .y_label_formatter(&|v| tick_label(*v))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .light_line_style(BLACK.mix(0.05))
        .draw()
        .map_err(err)?;
    for (k, (name, points)) in series.iter().enumerate() {
        let c = color(k);
        let mut band: Vec<(f64, f64)> = points.iter().map(|(x, i)| (*x, i.upper)).collect();
        band.extend(points.iter().rev().map(|(x, i)| (*x, i.lower)));
        if points.len() > 1 {
            chart
                .draw_series(std::iter::once(Polygon::new(band, c.mix(0.2).filled())))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|(x, i)| (*x, i.estimate)),
                c.stroke_width(2),
            ))
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)?;
    Ok(())
}

fn series_min_x(series: &[(String, Vec<(f64, Interval)>)]) -> f64 {
    let min = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|(x, _)| *x))
        .fold(f64::INFINITY, f64::min);
    if min >= 0.0 { 0.0 } else { f64::NEG_INFINITY }
}

struct ProfilePlot<'a>(&'a Evaluation);

impl Figure for ProfilePlot<'_> {
    fn size(&self) -> (u32, u32) {
        (900, 560)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let series: Vec<(String, Vec<(f64, Interval)>)> = self
            .0
            .profiles
            .iter()
            .map(|(name, p)| {
                (
                    name.clone(),
                    p.taus
                        .iter()
                        .copied()
                        .zip(p.points.iter().copied())
                        .collect(),
                )
            })
            .collect();
        let x_desc = format!("{} threshold \u{3c4}", self.0.score_label());
        draw_bands(
            root,
            "Performance profile",
            &x_desc,
            "fraction of runs with score > \u{3c4}",
            &series,
            Some(-0.02..1.02),
        )
    }
}

struct CurvePlot<'a>(&'a Evaluation);

impl Figure for CurvePlot<'_> {
    fn size(&self) -> (u32, u32) {
        (900, 560)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let series: Vec<(String, Vec<(f64, Interval)>)> = self
            .0
            .curves
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.points.iter().map(|(x, i)| (*x as f64, *i)).collect(),
                )
            })
            .collect();
        let y_desc = format!("IQM {}", self.0.score_label());
        draw_bands(
            root,
            "Learning curves (IQM, 95% CI)",
            "environment steps",
            &y_desc,
            &series,
            None,
        )
    }
}

/// Writes every figure the evaluation supports into `dir` (created if
/// needed): `aggregates`, `performance_profile`, and, when there is
/// something to show, `probability_of_improvement` and `learning_curves`,
/// each as PNG and SVG. Returns the files written.
pub fn write_plots(eval: &Evaluation, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
    let mut files = Vec::new();
    if !eval.algorithms.is_empty() {
        files.extend(render(&AggregatePlot(eval), dir, "aggregates")?);
    }
    if !eval.profiles.is_empty() {
        files.extend(render(&ProfilePlot(eval), dir, "performance_profile")?);
    }
    if !eval.improvements.is_empty() {
        files.extend(render(
            &ImprovementPlot(eval),
            dir,
            "probability_of_improvement",
        )?);
    }
    if eval.curves.iter().any(|c| !c.points.is_empty()) {
        files.extend(render(&CurvePlot(eval), dir, "learning_curves")?);
    }
    Ok(files)
}
