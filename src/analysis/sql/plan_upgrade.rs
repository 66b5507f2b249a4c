//! A compiled plan run by a later Flink than the one that wrote it (`check --job PLAN
//! --to-flink X`): EXECUTE PLAN compares each table the plan persisted with the catalog's, and
//! refuses the plan when they differ. Flink 1.18 and earlier named an unnamed PRIMARY KEY
//! `PK_<hash of its columns>`; 1.19 and later name it `PK_<columns joined by _>`, so the same
//! DDL gives a table the old plan no longer matches.

use std::collections::BTreeSet;

use super::super::result::{Prediction, SqlReport, fix_of};
use super::super::rules::{self, Severity};
use super::changes::change;
use crate::flink::{FlinkVersion, Release};
use crate::job::JobGraph;
use crate::job::plan::{SqlInfo, short_table};

const FLINK_1_19: Release = Release::new(1, 19);

/// Adds a job-level SQL change per table whose persisted primary key name `target` would
/// generate differently, when `new` runs from a compiled plan written before 1.19.
pub fn primary_key_names(prediction: &mut Prediction, new: &JobGraph, target: &FlinkVersion) {
    let from_plan = new.extra.get("sqlMode").and_then(|v| v.as_str()) == Some("compiled-plan");
    // The release that wrote the plan (`planFlinkVersion` when another one runs it).
    let written_by = match new.extra.get("planFlinkVersion").and_then(|v| v.as_str()) {
        Some(v) => Some(FlinkVersion::new(v)),
        None => new.flink_version.clone(),
    };
    let written_before = written_by
        .as_ref()
        .and_then(FlinkVersion::range)
        .is_some_and(|r| r.below(FLINK_1_19));
    let moves_on = target.range().is_some_and(|r| r.at_least(FLINK_1_19));
    if !(from_plan && written_before && moves_on) {
        return;
    }
    let mut seen = BTreeSet::new();
    let mut changes = Vec::new();
    for info in new.operators.iter().filter_map(SqlInfo::of) {
        let (Some(table), Some(key)) = (&info.table, &info.primary_key) else {
            continue;
        };
        let old_name = format!("PK_{}", java_list_hash(&key.columns));
        let new_name = format!("PK_{}", key.columns.join("_"));
        if key.name != old_name || key.name == new_name || !seen.insert(table.clone()) {
            continue;
        }
        let columns = key.columns.join(", ");
        let message = format!(
            "table `{}` keeps its primary key in this plan as {} (Flink {} named an unnamed PRIMARY KEY by a hash of its columns); Flink {} names it {new_name}, and EXECUTE PLAN refuses a plan whose table schema differs from the catalog's: the job does not start",
            short_table(table),
            key.name,
            new.flink_version.as_ref().map_or("?", FlinkVersion::as_str),
            target.as_str()
        );
        let rule = &rules::SQL_PLAN_PRIMARY_KEY_NAME;
        let mut c = change(rule, Severity::Warning, message, Vec::new(), None, None);
        c.fix = fix_of(rule, "", &[("name", &key.name), ("columns", &columns)]);
        changes.push(c);
    }
    if changes.is_empty() {
        return;
    }
    let report = prediction.sql.get_or_insert_with(|| SqlReport {
        old_mode: "savepoint".to_string(),
        new_mode: "compiled-plan".to_string(),
        changes: Vec::new(),
        diff: String::new(),
        old_names: Default::default(),
        patterns_compared: Vec::new(),
    });
    report.changes.extend(changes);
}

/// Java's `List<String>.hashCode()`, as Flink 1.18 used it to name a primary key.
fn java_list_hash(items: &[String]) -> i32 {
    items.iter().fold(1i32, |h, s| {
        let sh = s
            .encode_utf16()
            .fold(0i32, |a, c| a.wrapping_mul(31).wrapping_add(i32::from(c)));
        h.wrapping_mul(31).wrapping_add(sh)
    })
}

#[cfg(test)]
mod tests {
    use super::java_list_hash;

    #[test]
    fn hashes_like_java() {
        // Flink 1.18 named `PRIMARY KEY (k)` PK_138 (recorded) and `(user)` PK_3599338 (its
        // SQL client tests).
        assert_eq!(java_list_hash(&["k".to_string()]), 138);
        assert_eq!(java_list_hash(&["user".to_string()]), 3_599_338);
    }
}
