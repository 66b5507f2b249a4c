//! Rendering reports for people (text) and machines (JSON).

pub mod check;
pub mod findings;
pub mod github;
pub mod gitlab;
pub mod inspect;
pub mod junit;
pub mod lint;
pub mod markdown;
pub mod sarif;

/// What text reports show besides the essentials.
#[derive(Debug, Clone, Default)]
pub struct TextOptions {
    /// Also what is normally left out as noise: timer queues, empty coordinator state that is
    /// not decoded, each repeat of a warning.
    pub verbose: bool,
}

/// Distinct items in first-seen order, each with how often it occurs.
pub fn count_repeats<T: Eq + std::hash::Hash + Clone>(items: &[T]) -> Vec<(T, usize)> {
    let mut index: std::collections::HashMap<&T, usize> = std::collections::HashMap::new();
    let mut out: Vec<(T, usize)> = Vec::new();
    for item in items {
        match index.get(item) {
            Some(&i) => out[i].1 += 1,
            None => {
                index.insert(item, out.len());
                out.push((item.clone(), 1));
            }
        }
    }
    out
}

/// Human-readable byte size.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Left-aligned columns, each as wide as its widest cell.
pub fn table(rows: &[Vec<String>], indent: &str) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
