//! The uids Flink gives the transformations of a compiled plan, and the pattern Flink 1.15
//! gave them (FLINK-28861 changed it in 1.16).

use super::options::{PlanOptions, UidGeneration, version_pair};
use super::{PlanNode, SqlInfo};
use crate::OperatorId;
use crate::job::ids::uid_hash;
use crate::job::model::JobOperator;

/// The uid Flink gives transformation `t` of `node` when it runs this plan, if any.
pub(super) fn uid_for(
    node: &PlanNode,
    transformation: &str,
    opts: &PlanOptions,
    runtime: &str,
) -> Option<String> {
    let setting = |k: &str| node.setting(k, opts);
    let version = version_pair(runtime).unwrap_or((2, 0));
    let legacy = setting("table.exec.legacy-transformation-uids")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let generation = setting("table.exec.uid.generation")
        .and_then(|g| UidGeneration::parse(&g))
        .unwrap_or(UidGeneration::PlanOnly);
    // 1.15.0/1.15.1 (and legacy uids) always set uids; otherwise per generation. Running from
    // a plan satisfies PLAN_ONLY.
    if generation == UidGeneration::Disabled && !legacy {
        return None;
    }
    // FLINK-28861 (1.16) dropped type and version from the default and made it configurable;
    // 1.15 has no option (the released jars' ExecutionConfigOptions: 1.16.3, 1.17.2; a 1.15.4
    // plan run on 1.16.3 gets the new uids: fixtures/cases/1.16.3/sql-upgrade-*-from-1.15).
    let format = match setting("table.exec.uid.format") {
        Some(f) if version >= (1, 16) => f,
        _ if version < (1, 16) => "<id>_<type>_<version>_<transformation>".to_string(),
        _ => "<id>_<transformation>".to_string(),
    };
    Some(
        format
            .replace("<id>", &node.id.to_string())
            .replace("<type>", &node.type_name)
            .replace("<version>", &node.type_version.to_string())
            .replace("<transformation>", transformation),
    )
}

/// Is `uid` in Flink 1.15's plan pattern, `<id>_<type>_<version>_<transformation>` (the type
/// a `stream-exec-...` name)?
pub fn is_legacy_plan_uid(uid: &str) -> bool {
    let mut parts = uid.splitn(4, '_');
    let (Some(id), Some(kind), Some(version), Some(transformation)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(id) && kind.starts_with("stream-exec-") && digits(version) && !transformation.is_empty()
}

/// The ID `op` would have if its uid followed 1.15's plan pattern, for a SQL operator from a
/// compiled plan whose uid has another pattern.
pub fn legacy_uid_id(op: &JobOperator) -> Option<OperatorId> {
    let uid = op.uid.as_deref()?;
    if is_legacy_plan_uid(uid) {
        return None;
    }
    let info = SqlInfo::of(op)?;
    let legacy = format!(
        "{}_{}_{}",
        info.exec_node?, info.exec_type?, info.transformation?
    );
    is_legacy_plan_uid(&legacy).then(|| uid_hash(&legacy))
}

#[cfg(test)]
mod tests {
    use super::is_legacy_plan_uid;

    #[test]
    fn only_1_15s_plan_pattern_is_legacy() {
        assert!(is_legacy_plan_uid(
            "4_stream-exec-group-aggregate_1_group-aggregate"
        ));
        assert!(is_legacy_plan_uid(
            "12_stream-exec-sink_2_constraint-validator"
        ));
        assert!(!is_legacy_plan_uid("4_group-aggregate"));
        assert!(!is_legacy_plan_uid("counter"));
        assert!(!is_legacy_plan_uid("x_stream-exec-calc_1_calc"));
        assert!(!is_legacy_plan_uid("4_stream-exec-calc_v1_calc"));
        assert!(!is_legacy_plan_uid("4_stream-exec-calc_1_"));
    }
}
