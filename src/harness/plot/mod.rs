//! The plots, drawn as SVG with plotters: `scaling.svg` of a COST sweep ([`scaling_svg`]) and
//! `latency.svg` of `updates` ([`latency_svg`]), over what they share ([`svg`]) and the
//! ticks of a time axis ([`ticks`]).

mod latency;
mod scaling;
mod svg;
mod ticks;

pub use latency::latency_svg;
pub use scaling::scaling_svg;
