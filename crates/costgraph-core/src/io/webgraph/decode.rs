//! Decoding a BVGraph node by node through the `webgraph` crate, so that nothing in the files can
//! panic, abort or outgrow the budget: the `.properties` values are checked first
//! ([`super::properties`]), every coded value is checked before the crate's decoder acts on it
//! ([`super::checked`]), and what the crate can still only report by panicking (its bit reader
//! unwraps a read past the end of the `.graph`) is caught here, at the boundary, and becomes one
//! error naming the file.

use std::path::Path;

use super::visit::Visit;
use crate::graph::{Budget, NodeId};
use crate::{Error, Result};

/// Decodes the BVGraph at `path` sequentially into `visit`, checking every successor (below the
/// node count, strictly increasing) and the declared arc count. A compressed graph is
/// decompressed into a temporary folder inside `scratch_in`. Memory: the decoder's window and the
/// successor lists it keeps, at most an eighth of `budget` (checked as they grow); `visit` gets
/// the rest.
pub(super) fn decode(path: &Path, scratch_in: Option<&Path>, budget: &Budget, visit: &mut dyn Visit) -> Result<()> {
    use lender::Lender;
    use webgraph::prelude::{BvGraphSeq, SequentialLabeling};

    let located = super::locate::locate(path, scratch_in)?;
    crate::io::file::check_regular(&located.graph)?;
    let graph_bytes = std::fs::metadata(&located.graph).map_err(|e| Error::io(&located.graph, e))?.len();
    let props = super::properties::read(&located.properties, &located.shown_properties, graph_bytes)
        .map_err(|e| Error::format(path, e.to_string()))?;
    budget.check(
        &format!("{}: the WebGraph decoder's window of {} lists", path.display(), props.window + 1),
        props.window_bytes(),
    )?;
    let allowance = props.decoder_bytes().min(budget.bytes() / 8).max(props.window_bytes());
    visit.start(props.nodes, props.arcs, &budget.less(allowance))?;

    let fail = |e: anyhow::Error| Error::format(path, format!("cannot read the WebGraph: {e:#}"));
    // `with_basename` swaps the extension, so `BASE.graph` also works when BASE contains dots.
    let graph = BvGraphSeq::with_basename(&located.graph).load().map_err(fail)?;
    if graph.num_nodes() != props.nodes || graph.get_num_arcs() != Some(props.arcs) {
        return Err(Error::format(path, "the .properties file reads differently on a second reading"));
    }
    let graph = graph.map_factory(|inner| super::checked::Factory::new(inner, props, allowance));
    let n = props.nodes;
    let corrupt = |what: String| Error::format(path, format!("{what}: corrupt graph"));
    let decoded = quietly(|| -> Result<u64> {
        let mut successors = Vec::new();
        let mut seen = 0u64;
        let mut nodes = graph.iter();
        while let Some((src, list)) = nodes.next() {
            successors.clear();
            for dst in list {
                if dst >= n {
                    return Err(corrupt(format!("arc {src} -> {dst} points past the {n} nodes")));
                }
                if successors.last().is_some_and(|&last| last as usize >= dst) {
                    return Err(corrupt(format!("the successors of node {src} are not increasing at {dst}")));
                }
                successors.push(dst as NodeId);
            }
            seen += successors.len() as u64;
            visit.node(src as NodeId, &successors)?;
        }
        Ok(seen)
    });
    let seen = match decoded {
        Ok(result) => result?,
        Err(payload) => return Err(explain(path, payload, allowance)),
    };
    if seen != props.arcs {
        return Err(corrupt(format!("the .properties file declares {} arcs but the graph has {seen}", props.arcs)));
    }
    Ok(())
}

/// The error for a decode that unwound with `payload`.
fn explain(path: &Path, payload: Box<dyn std::any::Any + Send>, allowance: u64) -> Error {
    use super::checked::Stop;
    let payload = match payload.downcast::<Stop>() {
        Ok(stop) => match *stop {
            Stop::Corrupt(what) => return Error::format(path, format!("{what}: corrupt graph")),
            Stop::OverBudget { node, needed } => {
                return Error::OverBudget {
                    what: format!("{}: the successor lists the WebGraph decoder keeps at node {node}", path.display()),
                    needed,
                    limit: format!(
                        "the decoder's share of the memory budget is {}",
                        crate::units::human_bytes(allowance)
                    ),
                    advice: "raise --memory if the machine has the room (or the graph is corrupt)".to_string(),
                };
            }
        },
        Err(other) => other,
    };
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("the decoder stopped");
    Error::format(path, format!("truncated or corrupt .graph ({message})"))
}

std::thread_local! {
    /// Whether a panic on this thread is one [`quietly`] catches (and so must not be printed).
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching an unwind out of it without printing the panic message: the caller turns
/// it into an error. Panics elsewhere, and on other threads, are printed as before.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result
}
