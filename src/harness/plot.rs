//! `scaling.svg`: median compute time against cores, one line per implementation (and process
//! count), the baseline as a horizontal line; one panel per problem, cores on a log axis.

use plotters::prelude::*;

use super::report::{ProblemReport, Report};
use crate::registry::Kind;
use crate::{Error, Result};

/// Renders the report's scaling plot as an SVG document.
pub fn scaling_svg(report: &Report) -> Result<String> {
    let mut svg = String::new();
    let panels = report.problems.len().max(1);
    {
        let root = SVGBackend::with_string(&mut svg, (900, 450 * panels as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        for (area, problem) in root.split_evenly((panels, 1)).iter().zip(&report.problems) {
            panel(area, problem)?;
        }
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

fn drawing(e: impl std::fmt::Display) -> Error {
    Error::invalid(format!("cannot draw scaling.svg: {e}"))
}

/// A line: its label and (cores, median) points in core order.
type Line = (String, Vec<(f64, f64)>);

fn lines(problem: &ProblemReport) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for m in problem.measurements.iter().filter(|m| m.configuration.kind != Kind::SingleThread) {
        let c = &m.configuration;
        let processes = c.layout.processes();
        let label = if processes > 1 {
            format!("{} ({processes} processes)", c.implementation)
        } else {
            c.implementation.clone()
        };
        let point = (m.cores as f64, m.compute.median);
        match lines.iter_mut().find(|(l, _)| *l == label) {
            Some((_, points)) => points.push(point),
            None => lines.push((label, vec![point])),
        }
    }
    for (_, points) in &mut lines {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    lines
}

fn panel(area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>, problem: &ProblemReport) -> Result<()> {
    let baseline = problem.baseline.compute_median;
    let lines = lines(problem);
    let all = || lines.iter().flat_map(|(_, p)| p.iter().copied());
    let max_cores = all().map(|p| p.0).fold(1.0, f64::max);
    let hi = all().map(|p| p.1).fold(baseline, f64::max).max(1e-9) * 1.15;
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{}: median compute time vs cores", problem.problem.name()), ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((0.8..max_cores * 1.25).log_scale(), 0.0..hi)
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .x_desc("cores")
        .y_desc("seconds")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.3}"))
        .draw()
        .map_err(drawing)?;
    chart
        .draw_series(LineSeries::new([(0.8, baseline), (max_cores * 1.25, baseline)], BLACK.stroke_width(2)))
        .map_err(drawing)?
        .label(format!("baseline {} (1 thread)", problem.baseline.implementation))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(2)));
    for (i, (label, points)) in lines.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart.draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2))).map_err(drawing)?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))
            .map_err(drawing)?
            .label(label.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw().map_err(drawing)?;
    Ok(())
}
