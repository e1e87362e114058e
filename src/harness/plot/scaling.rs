//! `scaling.svg`: speedup over the single-thread baseline against cores, both axes logarithmic
//! (base 2), one panel per problem. Each implementation (and process count) is a line through its
//! medians with every configuration's 95 % interval as an error bar; the ideal line (speedup =
//! cores) and the baseline (1×, with its own interval as a grey band) frame them, so a bar that
//! clears the band *beats* the baseline and one that touches it *ties*; each implementation's COST
//! point is ringed. Lines are nudged apart sideways so that bars at one core count do not hide
//! each other. The legend sits beside the chart, never over the data. External systems are drawn
//! with triangles and marked `(external)`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::svg::{drawing_error, powers_of_two, ratio_label};
use crate::Result;
use crate::harness::analysis::ProblemReport;
use crate::harness::cost::Cost;
use crate::harness::plan::Layout;
use crate::harness::report::Report;
use crate::registry::Kind;

/// Size of one panel (pixels).
const PANEL: (u32, u32) = (1000, 460);
/// Width of the legend column on the right of each panel.
const LEGEND_WIDTH: u32 = 310;

/// Renders the report's scaling plot as an SVG document.
pub fn scaling_svg(report: &Report) -> Result<String> {
    let mut svg = String::new();
    let panels = report.problems.len().max(1);
    {
        let root = SVGBackend::with_string(&mut svg, (PANEL.0, PANEL.1 * panels as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing_error("scaling.svg"))?;
        for (area, problem) in root.split_evenly((panels, 1)).iter().zip(&report.problems) {
            panel(area, problem)?;
        }
        root.present().map_err(drawing_error("scaling.svg"))?;
    }
    Ok(svg)
}

/// How a line's points are marked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// One machine: circles, a solid line.
    Local,
    /// An external system: triangles.
    External,
    /// Several machines (scale-out): squares, a dashed line.
    Machines,
}

/// One line: label, how it is marked, and (cores, speedup low, median, high) in core order.
struct Line {
    label: String,
    implementation: String,
    mark: Mark,
    points: Vec<(f64, f64, f64, f64)>,
}

fn lines(problem: &ProblemReport, baseline: f64) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let correct = problem.measurements.iter().filter(|m| m.verdict.is_some());
    for m in correct.filter(|m| m.configuration.kind != Kind::SingleThread) {
        let c = &m.configuration;
        let mut label = c.implementation.clone();
        let mark = match c.layout {
            Layout::Machines { workers, .. } => {
                label.push_str(&format!(" (machines × {workers} worker{})", if workers == 1 { "" } else { "s" }));
                Mark::Machines
            }
            _ if c.kind == Kind::External => {
                label.push_str(" (external)");
                Mark::External
            }
            layout => {
                if layout.processes() > 1 {
                    label.push_str(&format!(" ({} processes)", layout.processes()));
                }
                Mark::Local
            }
        };
        let s = &m.compute;
        let point =
            (m.cores as f64, baseline / s.ci_high, baseline / s.median, baseline / s.ci_low.max(f64::MIN_POSITIVE));
        match lines.iter_mut().find(|l| l.label == label) {
            Some(l) => l.points.push(point),
            None => lines.push(Line { label, implementation: c.implementation.clone(), mark, points: vec![point] }),
        }
    }
    for l in &mut lines {
        l.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    lines
}

fn panel(area: &DrawingArea<SVGBackend<'_>, Shift>, problem: &ProblemReport) -> Result<()> {
    let Some(b) = &problem.baseline else {
        area.draw(&Text::new(
            format!("{}: no single-thread baseline finished, nothing to plot", problem.problem.name()),
            (20, 30),
            ("sans-serif", 18),
        ))
        .map_err(drawing_error("scaling.svg"))?;
        return Ok(());
    };
    let lines = lines(problem, b.compute.median);
    let all = || lines.iter().flat_map(|l| l.points.iter().copied());
    let max_cores = all().map(|p| p.0).fold(2.0, f64::max);
    let x_range = (0.75, max_cores * 1.35);
    let y_lo = all().map(|p| p.1).fold(0.5, f64::min) * 0.75;
    let y_hi = all().map(|p| p.3).fold(max_cores, f64::max) * 1.35;
    let (chart_area, legend_area) = area.split_horizontally(PANEL.0 - LEGEND_WIDTH);
    let mut x_keys = powers_of_two(1.0, max_cores);
    if !x_keys.contains(&max_cores) {
        x_keys.push(max_cores);
    }
    let mut chart = ChartBuilder::on(&chart_area)
        .caption(
            format!(
                "{}: speedup over {} ({}) vs cores (all machines')",
                problem.problem.name(),
                b.implementation,
                crate::units::human_secs(b.compute.median)
            ),
            ("sans-serif", 19),
        )
        .margin(14)
        .x_label_area_size(42)
        .y_label_area_size(62)
        .build_cartesian_2d(
            (x_range.0..x_range.1).log_scale().with_key_points(x_keys),
            (y_lo..y_hi).log_scale().with_key_points(powers_of_two(y_lo, y_hi)),
        )
        .map_err(drawing_error("scaling.svg"))?;
    chart
        .configure_mesh()
        .x_desc("cores (log scale)")
        .y_desc("speedup over the baseline (log scale)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| ratio_label(*y))
        .light_line_style(WHITE)
        .draw()
        .map_err(drawing_error("scaling.svg"))?;

    // The baseline's own interval, as speedups: a configuration ties exactly when its bar meets it.
    let band = (b.compute.median / b.compute.high, b.compute.median / b.compute.low.max(f64::MIN_POSITIVE));
    let band_color = RGBColor(222, 222, 222);
    chart
        .draw_series([Rectangle::new(
            [(x_range.0, band.0.max(y_lo)), (x_range.1, band.1.min(y_hi))],
            band_color.filled(),
        )])
        .map_err(drawing_error("scaling.svg"))?;
    let grey = RGBColor(150, 150, 150);
    chart
        .draw_series(DashedLineSeries::new([(1.0, 1.0), (x_range.1, x_range.1)], 8, 5, grey.stroke_width(2)))
        .map_err(drawing_error("scaling.svg"))?;
    chart
        .draw_series(LineSeries::new([(x_range.0, 1.0), (x_range.1, 1.0)], BLACK.stroke_width(2)))
        .map_err(drawing_error("scaling.svg"))?;

    let color = |i: usize| Palette99::pick(i).to_rgba();
    // Line i is drawn at x · 2^(nudge(i)): a few percent apart, centred on the true core count.
    let nudge = |i: usize| 2f64.powf(0.035 * (i as f64 - (lines.len() as f64 - 1.0) / 2.0));
    for (i, line) in lines.iter().enumerate() {
        let c = color(i);
        let mid = || line.points.iter().map(|&(x, _, m, _)| (x * nudge(i), m));
        if line.mark == Mark::Machines {
            chart
                .draw_series(DashedLineSeries::new(mid(), 10, 4, c.stroke_width(2)))
                .map_err(drawing_error("scaling.svg"))?;
        } else {
            chart.draw_series(LineSeries::new(mid(), c.stroke_width(2))).map_err(drawing_error("scaling.svg"))?;
        }
        // Error bars: the 95 % interval of the speedup, with caps a few percent wide in x.
        for &(x, lo, _, hi) in &line.points {
            let x = x * nudge(i);
            let bar = [
                PathElement::new([(x, lo), (x, hi)], c.stroke_width(2)),
                PathElement::new([(x / 1.04, lo), (x * 1.04, lo)], c.stroke_width(2)),
                PathElement::new([(x / 1.04, hi), (x * 1.04, hi)], c.stroke_width(2)),
            ];
            chart.draw_series(bar).map_err(drawing_error("scaling.svg"))?;
        }
        match line.mark {
            Mark::External => chart.draw_series(mid().map(|p| TriangleMarker::new(p, 6, c.filled()))).map(drop),
            Mark::Machines => chart.draw_series(mid().map(|p| Cross::new(p, 6, c.stroke_width(3)))).map(drop),
            Mark::Local => chart.draw_series(mid().map(|p| Circle::new(p, 4, c.filled()))).map(drop),
        }
        .map_err(drawing_error("scaling.svg"))?;
    }
    // The COST point of each implementation: a ring around the configuration that first beats.
    for cost in &problem.costs {
        let Cost::Bounded { cores, .. } = cost.compute else { continue };
        let Some((i, line)) = lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.implementation == cost.implementation && l.points.iter().any(|p| p.0 == cores as f64))
        else {
            continue;
        };
        let point = line
            .points
            .iter()
            .filter(|p| p.0 == cores as f64)
            .map(|p| (p.0 * nudge(i), p.2))
            .next()
            .expect("found above");
        chart.draw_series([Circle::new(point, 10, color(i).stroke_width(3))]).map_err(drawing_error("scaling.svg"))?;
    }
    legend(&legend_area, &lines, &b.implementation, &color)
}

/// The legend, in its own column: one row per line, then the reference lines and the COST ring.
fn legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    lines: &[Line],
    baseline: &str,
    color: &dyn Fn(usize) -> RGBAColor,
) -> Result<()> {
    let font = ("sans-serif", 14);
    let mut y = 50;
    let row = |area: &DrawingArea<SVGBackend<'_>, Shift>, y: i32, text: &str| {
        area.draw(&Text::new(text.to_string(), (44, y - 7), font)).map_err(drawing_error("scaling.svg"))
    };
    for (i, line) in lines.iter().enumerate() {
        let c = color(i);
        area.draw(&PathElement::new([(6, y), (34, y)], c.stroke_width(2))).map_err(drawing_error("scaling.svg"))?;
        match line.mark {
            Mark::External => area.draw(&TriangleMarker::new((20, y), 6, c.filled())),
            Mark::Machines => area.draw(&Cross::new((20, y), 6, c.stroke_width(3))),
            Mark::Local => area.draw(&Circle::new((20, y), 4, c.filled())),
        }
        .map_err(drawing_error("scaling.svg"))?;
        row(area, y, &line.label)?;
        y += 22;
    }
    y += 8;
    let grey = RGBColor(150, 150, 150);
    area.draw(&PathElement::new([(6, y), (16, y)], grey.stroke_width(2))).map_err(drawing_error("scaling.svg"))?;
    area.draw(&PathElement::new([(24, y), (34, y)], grey.stroke_width(2))).map_err(drawing_error("scaling.svg"))?;
    row(area, y, "ideal (speedup = cores)")?;
    y += 22;
    area.draw(&Rectangle::new([(6, y - 7), (34, y + 7)], RGBColor(222, 222, 222).filled()))
        .map_err(drawing_error("scaling.svg"))?;
    area.draw(&PathElement::new([(6, y), (34, y)], BLACK.stroke_width(2))).map_err(drawing_error("scaling.svg"))?;
    row(area, y, &format!("baseline {baseline} (1 thread) = 1×"))?;
    y += 16;
    row(area, y, "grey band: the baseline's 95 % CI")?;
    y += 22;
    area.draw(&Circle::new((20, y), 9, BLACK.stroke_width(3))).map_err(drawing_error("scaling.svg"))?;
    row(area, y, "COST: fewest cores that beat")?;
    y += 22;
    area.draw(&PathElement::new([(20, y - 7), (20, y + 7)], BLACK.stroke_width(2)))
        .map_err(drawing_error("scaling.svg"))?;
    row(area, y, "bars: 95 % CI of the median")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::fixtures::{report, synthetic};

    /// Renders an SVG to pixels with resvg, without fonts: text is skipped, so only the data,
    /// axes and legend marks can make the image non-blank.
    fn non_white_pixels(svg: &str) -> (usize, usize) {
        let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).expect("valid SVG");
        let size = tree.size().to_int_size();
        let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
        resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
        let inked = pixmap.pixels().iter().filter(|p| (p.red(), p.green(), p.blue()) != (255, 255, 255)).count();
        // Colored pixels (neither grey nor black): the implementations' lines, bars and markers.
        let colored = pixmap
            .pixels()
            .iter()
            .filter(|p| p.red().abs_diff(p.green()) > 40 || p.green().abs_diff(p.blue()) > 40)
            .count();
        (inked, colored)
    }

    #[test]
    fn the_plot_renders_to_a_picture_with_data_on_it() {
        let r = report(vec![synthetic("d"), synthetic("d")]);
        let svg = scaling_svg(&r).unwrap();
        assert!(svg.contains("speedup over uf") && svg.contains("ideal (speedup = cores)") && svg.contains("COST"));
        let (inked, colored) = non_white_pixels(&svg);
        let total = (PANEL.0 * PANEL.1 * 2) as usize;
        assert!(inked > total / 200, "only {inked} of {total} pixels drawn");
        assert!(colored > 500, "only {colored} colored pixels: the data lines are missing");
        // Without the data the same frame has far fewer colored pixels.
        let mut empty = synthetic("d");
        empty.measurements.retain(|m| m.configuration.kind == Kind::SingleThread);
        empty.costs.clear();
        let (_, bare) = non_white_pixels(&scaling_svg(&report(vec![empty])).unwrap());
        assert!(bare * 4 < colored, "{bare} colored pixels without data vs {colored} with");
    }

    #[test]
    fn axes_are_powers_of_two() {
        assert_eq!(powers_of_two(1.0, 16.0), [1.0, 2.0, 4.0, 8.0, 16.0]);
        assert_eq!(powers_of_two(0.3, 2.7), [0.5, 1.0, 2.0]);
        assert_eq!((ratio_label(4.0), ratio_label(0.25)), ("4×".to_string(), "1/4×".to_string()));
    }
}
