//! The layers point one way: no import cycle between the files of `src/` or of the core crate,
//! and no source file longer than the limit before its tests.
//!
//! A file depends on another when it names an item defined there: through a `use` (or a path
//! such as `crate::io::cgr::open` in its code), or by using a name its own `pub use` re-exports.
//! Paths are followed through re-exports to the file that defines the item, so `use
//! super::Components` in `algo/cc/union_find.rs` depends on `algo/cc/components.rs`, not on the
//! module file that re-exports it. Declaring a module (`mod x;`) and re-exporting its items are
//! structure, not dependencies; tests (`#[cfg(test)]` modules and files) are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The longest a source file may be before its tests.
const MAX_LINES: usize = 700;

/// A module path inside a crate: `["harness", "plan"]`; the crate root is empty.
type Module = Vec<String>;

struct Tree {
    files: BTreeMap<Module, PathBuf>,
    /// Each file's text without comments and tests.
    code: BTreeMap<Module, String>,
    /// `(module, name)` → the module a `pub use` in `module` takes `name` from.
    reexports: BTreeMap<(Module, String), Module>,
}

/// The module path of `file` under `root`.
fn module_of(root: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Module = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `text` without `//` and `/* */` comments (string contents may lose a `//` tail: harmless here).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('/') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("//") {
            rest = tail.find('\n').map_or("", |j| &tail[j..]);
        } else if tail.starts_with("/*") {
            rest = tail.find("*/").map_or("", |j| &tail[j + 2..]);
        } else {
            out.push('/');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// `text` cut at its first `#[cfg(test)]` item with a body (the tests module at the end of a
/// file), and the names of the modules declared test-only (`#[cfg(test)] mod x;`).
fn strip_tests(text: &str) -> (String, Vec<String>) {
    let mut test_files = Vec::new();
    let mut kept = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..i]);
        let after = rest[i + "#[cfg(test)]".len()..].trim_start();
        let item_end = after.find([';', '{']).unwrap_or(after.len());
        let item = &after[..item_end];
        if after[item_end..].starts_with(';') {
            if let Some(name) = item.trim().strip_prefix("mod ").or_else(|| item.trim().strip_prefix("pub mod ")) {
                test_files.push(name.trim().to_string());
            }
            rest = &after[item_end + 1..];
        } else {
            // A test module with a body: the rest of the file is its tests.
            return (kept, test_files);
        }
    }
    kept.push_str(rest);
    (kept, test_files)
}

/// Every `use` tree of `text` expanded into paths: `a::{b, c::d}` → `a::b`, `a::c::d`. Returns
/// `(is_pub, path segments)`, each segment without an `as` alias.
fn uses(text: &str) -> Vec<(bool, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = find_word(rest, "use") {
        let before = rest[..i].trim_end();
        let is_pub = before.ends_with("pub") || before.ends_with(')') && before.contains("pub(");
        let after = &rest[i + 3..];
        let end = after.find(';').unwrap_or(after.len());
        let tree: String = after[..end].chars().filter(|c| !c.is_whitespace()).collect();
        for path in expand(&tree) {
            let segments = path.split("::").map(|s| s.split("as").next().unwrap().to_string()).collect();
            out.push((is_pub, segments));
        }
        rest = &after[end.min(after.len())..];
    }
    out
}

/// The position of `word` in `text` as a whole word, if any.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let before = text[..at].chars().last().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = text[at + word.len()..].chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if before && after {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

fn expand(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else {
        return if tree.is_empty() { vec![] } else { vec![tree.to_string()] };
    };
    let (prefix, inner) = (&tree[..open], &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())]);
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts.into_iter().filter(|p| !p.is_empty()).flat_map(|p| expand(&format!("{prefix}{p}"))).collect()
}

impl Tree {
    fn read(root: &Path) -> Tree {
        let mut paths = Vec::new();
        rust_files(root, &mut paths);
        let mut files = BTreeMap::new();
        let mut code = BTreeMap::new();
        let mut test_only = BTreeSet::new();
        for path in paths {
            let module = module_of(root, &path);
            let (text, tests) = strip_tests(&strip_comments(&std::fs::read_to_string(&path).unwrap()));
            for name in tests {
                let mut m = module.clone();
                m.push(name);
                test_only.insert(m);
            }
            files.insert(module.clone(), path);
            code.insert(module, text);
        }
        for m in &test_only {
            files.retain(|k, _| !k.starts_with(m));
            code.retain(|k, _| !k.starts_with(m));
        }
        let mut tree = Tree { files, code, reexports: BTreeMap::new() };
        // Re-exports, to a fixed point (a re-export of a re-export).
        for _ in 0..4 {
            let mut found = BTreeMap::new();
            for (module, text) in &tree.code {
                for (is_pub, path) in uses(text) {
                    let name = path.last().cloned().unwrap_or_default();
                    if is_pub
                        && name != "*"
                        && name != "self"
                        && let Some(target) = tree.resolve(module, &path)
                    {
                        found.insert((module.clone(), name), target);
                    }
                }
            }
            tree.reexports = found;
        }
        tree
    }

    /// The file defining what `path` (as written in `module`) names, when it is in this tree.
    fn resolve(&self, module: &Module, path: &[String]) -> Option<Module> {
        let (mut current, rest): (Module, &[String]) = match path.first().map(String::as_str) {
            Some("crate") => (Vec::new(), &path[1..]),
            Some("self") => (module.clone(), &path[1..]),
            Some("super") => {
                let mut m = module.clone();
                let mut rest = path;
                while rest.first().map(String::as_str) == Some("super") {
                    m.pop();
                    rest = &rest[1..];
                }
                (m, rest)
            }
            Some(first) => {
                let mut child = module.clone();
                child.push(first.to_string());
                if !self.files.contains_key(&child) {
                    return None;
                }
                (module.clone(), path)
            }
            None => return None,
        };
        let mut i = 0;
        while i < rest.len() {
            let mut child = current.clone();
            child.push(rest[i].clone());
            if self.files.contains_key(&child) {
                current = child;
                i += 1;
            } else {
                break;
            }
        }
        if let Some(name) = rest.get(i)
            && let Some(target) = self.reexports.get(&(current.clone(), name.clone()))
        {
            return Some(target.clone());
        }
        self.files.contains_key(&current).then_some(current)
    }

    /// Every file's dependencies on the others.
    fn edges(&self) -> BTreeMap<Module, BTreeSet<Module>> {
        let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (module, text) in &self.code {
            let mut targets = BTreeSet::new();
            let all_uses = uses(text);
            let body = without_uses(text);
            for (is_pub, path) in &all_uses {
                let name = path.last().cloned().unwrap_or_default();
                // A re-export is a dependency only when the file itself uses the name.
                if *is_pub && find_word(&body, &name).is_none() {
                    continue;
                }
                targets.extend(self.resolve(module, path));
            }
            for path in paths_in(&body) {
                targets.extend(self.resolve(module, &path));
            }
            targets.remove(module);
            edges.insert(module.clone(), targets);
        }
        edges
    }
}

/// `text` without its `use` statements.
fn without_uses(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = find_word(rest, "use") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        rest = after.find(';').map_or("", |j| &after[j + 1..]);
    }
    out.push_str(rest);
    out
}

/// Every `crate::a::b`, `super::a` or `self::a` path written in code.
fn paths_in(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(start) {
            let at = from + i;
            let boundary = text[..at].chars().last().is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
            let end = text[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(text.len(), |j| at + j);
            if boundary {
                out.push(text[at..end].split("::").filter(|s| !s.is_empty()).map(String::from).collect());
            }
            from = end.max(at + start.len());
        }
    }
    out
}

/// The strongly connected components with more than one file (Tarjan's algorithm).
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            if !s.edges.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.found
}

fn roots() -> Vec<PathBuf> {
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![top.join("src"), top.join("crates/costgraph-core/src")]
}

#[test]
fn no_import_cycle_between_files() {
    for root in roots() {
        let tree = Tree::read(&root);
        assert!(tree.files.len() > 10, "{} holds too few files to be costgraph's", root.display());
        let found = cycles(&tree.edges());
        let text: Vec<String> = found
            .iter()
            .map(|c| {
                c.iter().map(|m| if m.is_empty() { "lib".into() } else { m.join("/") }).collect::<Vec<_>>().join(" ↔ ")
            })
            .collect();
        assert!(found.is_empty(), "import cycles between files of {}: {}", root.display(), text.join("; "));
    }
}

#[test]
fn the_checker_finds_a_cycle_through_a_reexport() {
    let dir = crate::common::tempdir();
    let src = dir.path();
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(src.join("a/mod.rs"), "mod thing;\npub use thing::Thing;\n").unwrap();
    std::fs::write(
        src.join("a/thing.rs"),
        "// crate::b::Other in a comment is no use\npub struct Thing(crate::b::Other);\n",
    )
    .unwrap();
    std::fs::write(src.join("b.rs"), "use crate::a::Thing;\npub struct Other;\nfn f(_: Thing) {}\n").unwrap();
    let tree = Tree::read(src);
    let found = cycles(&tree.edges());
    assert_eq!(found.len(), 1, "{found:?}");
    let mut files: Vec<String> = found[0].iter().map(|m| m.join("/")).collect();
    files.sort();
    assert_eq!(files, ["a/thing", "b"]);
    // Without the path in code the cycle is gone.
    std::fs::write(src.join("a/thing.rs"), "pub struct Thing;\n").unwrap();
    assert!(cycles(&Tree::read(src).edges()).is_empty());
}

#[test]
fn no_source_file_is_longer_than_the_limit_before_its_tests() {
    let mut long = Vec::new();
    for root in roots() {
        let mut files = Vec::new();
        rust_files(&root, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines = text.lines().take_while(|l| !l.contains("#[cfg(test)]")).count();
            if lines > MAX_LINES {
                long.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(long.is_empty(), "over {MAX_LINES} lines before the tests: {}", long.join(", "));
}
