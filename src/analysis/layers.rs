//! Checks the module structure of `analysis/` from the source text: the modules import each
//! other without a circle, and no analysis module reaches up into the renderers or the CLI.
//! Paths are read from the files (`super::x`, `crate::analysis::x`), so an inline path counts
//! as much as a `use`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's source: its file, or every file of its directory (`x/mod.rs` and `x/*.rs`, whose
/// `super::super::y` names the sibling `y` just as `super::y` does in `x/mod.rs`).
fn module_text(path: &Path) -> String {
    if !path.is_dir() {
        return std::fs::read_to_string(path).expect("source is UTF-8");
    }
    let mut text = String::new();
    for entry in std::fs::read_dir(path).expect("module directory is readable") {
        text.push_str(&module_text(&entry.expect("directory entry").path()));
    }
    text
}

/// Module name -> the sibling analysis modules its source names.
fn sibling_imports(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    // A module may be a file and a folder of submodules (`rules.rs` and `rules/`): one text.
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for path in std::fs::read_dir(dir)
        .expect("src/analysis is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir() || path.extension().is_some_and(|e| e == "rs"))
    {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        files.entry(name).or_default().push_str(&module_text(&path));
    }
    let modules: BTreeSet<String> = files.keys().filter(|m| *m != "mod").cloned().collect();
    files
        .iter()
        .filter(|(m, _)| *m != "mod")
        .map(|(m, text)| {
            let used = modules
                .iter()
                .filter(|other| *other != m)
                .filter(|other| {
                    text.contains(&format!("super::{other}"))
                        || text.contains(&format!("crate::analysis::{other}"))
                })
                .cloned()
                .collect();
            (m.clone(), used)
        })
        .collect()
}

/// A circle through `start`, if there is one (depth-first over at most a few dozen modules).
fn circle_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == start {
                let mut circle = path.clone();
                circle.push(start.to_string());
                return Some(circle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn analysis_modules_import_each_other_without_a_circle() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analysis");
    let graph = sibling_imports(&dir);
    assert!(graph.len() >= 8, "modules found: {:?}", graph.keys());
    // A module split into a directory is still seen, with what its files import.
    assert!(graph["schema_check"].contains("sides"), "{graph:?}");
    // The two bottom layers name no other analysis module but the catalog.
    assert_eq!(graph["rules"], BTreeSet::new());
    assert_eq!(graph["result"], BTreeSet::from(["rules".to_string()]));
    let circles: Vec<Vec<String>> = graph
        .keys()
        .filter_map(|m| circle_through(&graph, m))
        .collect();
    assert!(circles.is_empty(), "import circles: {circles:?}");
}

#[test]
fn analysis_does_not_reach_up_into_reports_or_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analysis");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_stem().is_some_and(|s| s == "layers") {
            continue;
        }
        let text = module_text(&path);
        for above in [
            "crate::report",
            "crate::cli",
            "crate::config",
            "crate::input",
        ] {
            assert!(!text.contains(above), "{} names {above}", path.display());
        }
    }
}
