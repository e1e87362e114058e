//! `latency.svg`: the latency CDFs of `updates`, one panel per batch size, one line per system.
//!
//! Every panel shares one latency axis (logarithmic, round ticks in µs, ms and s), the union of
//! all panels' latencies, so that panels compare at a glance. Each system keeps its colour in
//! every panel. A CDF is drawn as steps; where a system has few batches in a panel its points are
//! marked too, so that even a single batch shows. The legend sits in its own column beside each
//! panel, never over the data, and lists every system with its number of batches there.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::svg::drawing_error;
use super::ticks::{log_range, log_ticks, secs_label};
use crate::Result;
use crate::harness::updates::UpdatesReport;

/// Size of one panel (pixels).
const PANEL: (u32, u32) = (1000, 340);
/// Width of the legend column on the right of each panel.
const LEGEND_WIDTH: u32 = 300;
/// Room around the chart.
const MARGIN: u32 = 14;
/// Width of the y axis' labels.
const Y_LABEL_AREA: u32 = 56;
/// Fewest pixels between two x ticks: a label such as `500 µs` and room either side.
const TICK_GAP_PX: f64 = 70.0;
/// A system with at most this many batches in a panel has each one marked.
const MARKED_UP_TO: usize = 30;
/// Colours that read on white (Tableau 10), one per system in the report's order.
const COLORS: [RGBColor; 10] = [
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

/// One system of the report and its latency (seconds) per batch, per batch size.
struct System {
    name: String,
    latencies: Vec<Vec<f64>>,
}

/// The systems of `report` in its table's order: each configuration, incremental union-find (when
/// it ran), union-find recompute.
fn systems(report: &UpdatesReport) -> Vec<System> {
    let panels = report.stream.batch_sizes.len();
    let mut systems: Vec<System> = report
        .configurations
        .iter()
        .map(|c| System {
            name: c.name(),
            latencies: (0..panels)
                .map(|s| c.result.run.batches.iter().filter(|b| b.segment == s).map(|b| b.latency_secs).collect())
                .collect(),
        })
        .collect();
    if let Some(inc) = &report.replay.incremental {
        systems.push(System { name: "incremental union-find".into(), latencies: inc.clone() });
    }
    systems.push(System { name: "union-find recompute".into(), latencies: report.replay.recompute.clone() });
    systems
}

/// The colour of the `i`-th system.
fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

/// The latency CDFs of `report`: one panel per batch size, one line per system, latency on a log axis.
pub fn latency_svg(report: &UpdatesReport) -> Result<String> {
    let stream = &report.stream;
    let captions: Vec<String> = (0..stream.batch_sizes.len())
        .map(|s| caption(stream.batch_sizes[s], stream.alone.get(s).copied().unwrap_or(false)))
        .collect();
    draw(&systems(report), &captions)
}

/// The title of the panel of batches of `batch` changes, applied `alone` (none other in flight).
fn caption(batch: usize, alone: bool) -> String {
    if alone {
        format!("batches of {batch}, one at a time (none other in flight): latency CDF")
    } else {
        format!("batch size {batch}: latency CDF")
    }
}

/// The plot of `systems`, one panel per entry of `captions`.
fn draw(systems: &[System], captions: &[String]) -> Result<String> {
    let all = systems.iter().flat_map(|s| s.latencies.iter().flatten().copied());
    let (lo, hi) = log_range(all);
    let plot_width = f64::from(PANEL.0 - LEGEND_WIDTH - 2 * MARGIN - Y_LABEL_AREA);
    let ticks = log_ticks(lo, hi, TICK_GAP_PX * (hi / lo).log10() / plot_width);
    let panels = captions.len().max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (PANEL.0, PANEL.1 * panels as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing_error("latency.svg"))?;
        for (s, (area, caption)) in root.split_evenly((panels, 1)).iter().zip(captions).enumerate() {
            let (chart_area, legend_area) = area.split_horizontally(PANEL.0 - LEGEND_WIDTH);
            panel(&chart_area, s, caption, systems, (lo, hi), &ticks)?;
            legend(&legend_area, s, systems)?;
        }
        root.present().map_err(drawing_error("latency.svg"))?;
    }
    Ok(svg)
}

/// The empirical CDF of `latencies` (each at least `lo`): the points `(k-th smallest, k / n)`.
fn cdf(latencies: &[f64], lo: f64) -> Vec<(f64, f64)> {
    let mut sorted: Vec<f64> = latencies.iter().map(|&x| x.max(lo)).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    sorted.into_iter().enumerate().map(|(k, x)| (x, (k + 1) as f64 / n)).collect()
}

/// The steps through the CDF's `points`: up from the axis at the first, then across and up to each.
fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut path = Vec::with_capacity(2 * points.len());
    let mut below = 0.0;
    for &(x, y) in points {
        path.extend([(x, below), (x, y)]);
        below = y;
    }
    path
}

/// Panel `s`, titled `caption`: every system's CDF over the shared range `x` with its `ticks`.
fn panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    s: usize,
    caption: &str,
    systems: &[System],
    x: (f64, f64),
    ticks: &[f64],
) -> Result<()> {
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 18))
        .margin(MARGIN)
        .x_label_area_size(40)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(
            (x.0..x.1).log_scale().with_key_points(ticks.to_vec()),
            // A little above 1, so that marks at the top are whole.
            0.0..1.04,
        )
        .map_err(drawing_error("latency.svg"))?;
    chart
        .configure_mesh()
        .x_desc("latency per batch (log scale)")
        .y_desc("fraction of batches")
        .x_label_formatter(&|v| secs_label(*v))
        .y_labels(6)
        .y_label_formatter(&|v| format!("{v:.1}"))
        .label_style(("sans-serif", 13))
        .light_line_style(WHITE)
        .draw()
        .map_err(drawing_error("latency.svg"))?;
    for (i, system) in systems.iter().enumerate() {
        let Some(latencies) = system.latencies.get(s).filter(|l| !l.is_empty()) else { continue };
        let c = color(i);
        let points = cdf(latencies, x.0);
        chart.draw_series(LineSeries::new(steps(&points), c.stroke_width(2))).map_err(drawing_error("latency.svg"))?;
        if points.len() <= MARKED_UP_TO {
            chart
                .draw_series(points.into_iter().map(|p| Circle::new(p, 4, c.filled())))
                .map_err(drawing_error("latency.svg"))?;
        }
    }
    Ok(())
}

/// The legend of panel `s`, in its own column: every system, its colour and its batch count.
fn legend(area: &DrawingArea<SVGBackend<'_>, Shift>, s: usize, systems: &[System]) -> Result<()> {
    let mut y = 50;
    for (i, system) in systems.iter().enumerate() {
        let c = color(i);
        let n = system.latencies.get(s).map_or(0, Vec::len);
        area.draw(&PathElement::new([(6, y), (34, y)], c.stroke_width(2))).map_err(drawing_error("latency.svg"))?;
        if n <= MARKED_UP_TO {
            area.draw(&Circle::new((20, y), 4, c.filled())).map_err(drawing_error("latency.svg"))?;
        }
        let count = match n {
            0 => "no batches".to_string(),
            1 => "1 batch".to_string(),
            n => format!("{n} batches"),
        };
        area.draw(&Text::new(format!("{} ({count})", system.name), (44, y - 7), ("sans-serif", 14)))
            .map_err(drawing_error("latency.svg"))?;
        y += 22;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system(name: &str, latencies: Vec<Vec<f64>>) -> System {
        System { name: name.into(), latencies }
    }

    /// The `fill` attribute plotters writes for a filled shape of colour `c`.
    fn fill(c: RGBColor) -> String {
        format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2)
    }

    #[test]
    fn every_system_is_marked_and_listed_in_its_colour_in_every_panel() {
        let many: Vec<f64> = (1..=200).map(|k| f64::from(k) * 1e-4).collect();
        let systems = [
            system("dataflow", vec![many.clone(), many]),
            system("incremental", vec![vec![], vec![0.02]]),
            system("recompute", vec![vec![0.5], vec![0.7]]),
        ];
        let svg = draw(&systems, &[caption(1, true), caption(1000, false)]).unwrap();
        assert!(svg.contains("batches of 1, one at a time") && svg.contains("batch size 1000:"));
        for name in ["dataflow (200 batches)", "incremental (no batches)", "incremental (1 batch)"] {
            assert!(svg.contains(name), "{name} in the legend");
        }
        assert_eq!(svg.matches("recompute (1 batch)").count(), 2, "in each panel's legend");
        // A lone batch is a mark of its system's colour, besides the legend's, whatever the
        // systems before it drew in that panel; the dense line has no marks.
        let circles = |c: RGBColor| svg.lines().filter(|l| l.contains("<circle") && l.contains(&fill(c))).count();
        assert_eq!((circles(color(0)), circles(color(1)), circles(color(2))), (0, 2 + 1, 2 + 2));
    }

    #[test]
    fn panels_share_one_range() {
        let systems = [system("a", vec![vec![2e-5, 1e-4], vec![0.3]])];
        let svg = draw(&systems, &[caption(1, false), caption(2, false)]).unwrap();
        // Both panels run from 10 µs to 100 ms and more, the union of their latencies.
        assert_eq!(svg.matches("10 µs").count(), 2, "{svg}");
        assert_eq!(svg.matches("100 ms").count(), 2);
    }

    #[test]
    fn cdf_steps_start_on_the_axis() {
        let points = cdf(&[3.0, 1.0, 0.0], 0.5);
        assert_eq!(points, [(0.5, 1.0 / 3.0), (1.0, 2.0 / 3.0), (3.0, 1.0)]);
        assert_eq!(steps(&points[2..]), [(3.0, 0.0), (3.0, 1.0)]);
        assert_eq!(steps(&points).len(), 6);
    }
}
