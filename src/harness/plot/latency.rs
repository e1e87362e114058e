//! `latency.svg`: the latency CDFs of `updates`, one panel per batch size, one line per system.

use plotters::prelude::*;

use super::svg::drawing_error;
use crate::Result;
use crate::harness::updates::UpdatesReport;

/// The latency CDFs of `report`: one panel per batch size, one line per system, latency on a log axis.
pub fn latency_svg(report: &UpdatesReport) -> Result<String> {
    let mut series: Vec<(usize, String, Vec<f64>)> = Vec::new();
    for s in 0..report.stream.batch_sizes.len() {
        for c in &report.configurations {
            let l = c.result.run.batches.iter().filter(|b| b.segment == s).map(|b| b.latency_secs).collect();
            series.push((s, c.name(), l));
        }
        if let Some(inc) = &report.replay.incremental {
            series.push((s, "incremental union-find".into(), inc[s].clone()));
        }
        series.push((s, "union-find recompute".into(), report.replay.recompute[s].clone()));
    }
    let panels = report.stream.batch_sizes.len().max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 320 * panels as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing_error("latency.svg"))?;
        for (s, area) in root.split_evenly((panels, 1)).iter().enumerate() {
            let Some(&batch) = report.stream.batch_sizes.get(s) else { continue };
            let lines: Vec<&(usize, String, Vec<f64>)> =
                series.iter().filter(|(seg, _, l)| *seg == s && !l.is_empty()).collect();
            let positive = || lines.iter().flat_map(|(_, _, l)| l.iter().copied()).filter(|&x| x > 0.0);
            let lo = positive().fold(f64::INFINITY, f64::min);
            let hi = positive().fold(0.0, f64::max);
            let (lo, hi) = if lo.is_finite() && hi > 0.0 { (lo / 1.5, hi * 1.5) } else { (1e-6, 1.0) };
            let mut chart = ChartBuilder::on(area)
                .caption(format!("batch size {batch}: latency CDF"), ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(50)
                .build_cartesian_2d((lo..hi).log_scale(), 0.0..1.0)
                .map_err(drawing_error("latency.svg"))?;
            chart
                .configure_mesh()
                .x_desc("latency (seconds, log scale)")
                .y_desc("fraction of batches")
                .x_label_formatter(&|x| format!("{x:.0e}"))
                .draw()
                .map_err(drawing_error("latency.svg"))?;
            for (i, (_, name, latencies)) in lines.iter().enumerate() {
                let mut sorted: Vec<f64> = latencies.iter().map(|&x| x.max(lo)).collect();
                sorted.sort_by(f64::total_cmp);
                let n = sorted.len() as f64;
                let points: Vec<(f64, f64)> =
                    sorted.iter().enumerate().map(|(k, &x)| (x, (k + 1) as f64 / n)).collect();
                let color = Palette99::pick(i).to_rgba();
                chart
                    .draw_series(LineSeries::new(points, color.stroke_width(2)))
                    .map_err(drawing_error("latency.svg"))?
                    .label(name.as_str())
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(drawing_error("latency.svg"))?;
        }
        root.present().map_err(drawing_error("latency.svg"))?;
    }
    Ok(svg)
}
