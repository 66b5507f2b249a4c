//! Serializers made of nested serializers: arrays, tuples, Rows, Scala case classes and
//! generic composites. Each nested result counts; a different number of fields is
//! incompatible.

use super::{ChangeKind, Compat, Resolver, at, join_path};
use crate::schema::types::{Field, Type, same_class};

impl Resolver<'_> {
    pub(super) fn array(
        &mut self,
        p: &str,
        (ca, a): (&Option<String>, &Type),
        (cb, b): (&Option<String>, &Type),
        d: usize,
    ) -> Compat {
        if let (Some(ca), Some(cb)) = (ca, cb)
            && !same_class(ca, cb)
        {
            return self.note(
                p,
                ChangeKind::TypeChanged,
                Compat::Incompatible,
                format!("{}array component class {ca} -> {cb}", at(p)),
            );
        }
        self.resolve(&join_path(p, "[]"), a, b, d)
    }

    pub(super) fn tuple(&mut self, p: &str, fa: &[Type], fb: &[Type], d: usize) -> Compat {
        if fa.len() != fb.len() {
            return self.note(
                p,
                ChangeKind::ArityChanged,
                Compat::Incompatible,
                format!(
                    "{}Tuple{} -> Tuple{}: a tuple serializer with another number of fields is incompatible",
                    at(p),
                    fa.len(),
                    fb.len()
                ),
            );
        }
        let mut result = Compat::AsIs;
        for (i, (a, b)) in fa.iter().zip(fb).enumerate() {
            result = result.max(self.resolve(&join_path(p, &format!("f{i}")), a, b, d));
        }
        result
    }

    pub(super) fn row(
        &mut self,
        p: &str,
        (fa, ka): (&[Field], &Option<bool>),
        (fb, kb): (&[Field], &Option<bool>),
        d: usize,
    ) -> Compat {
        if fa.len() != fb.len() {
            return self.note(
                p,
                ChangeKind::ArityChanged,
                Compat::Incompatible,
                format!(
                    "{}Row with {} fields -> {} fields: a Row serializer with another number of fields is incompatible",
                    at(p),
                    fa.len(),
                    fb.len()
                ),
            );
        }
        let mut result = Compat::AsIs;
        if let (Some(ka), Some(kb)) = (ka, kb)
            && ka != kb
        {
            result = self.note(
                p,
                ChangeKind::RowKindChanged,
                Compat::AfterMigration,
                format!(
                    "{}the Row serializer {} the row kind now",
                    at(p),
                    if *kb { "writes" } else { "no longer writes" }
                ),
            );
        }
        for (i, (a, b)) in fa.iter().zip(fb).enumerate() {
            let name = b
                .name
                .clone()
                .or_else(|| a.name.clone())
                .unwrap_or_else(|| format!("f{i}"));
            if let (Some(na), Some(nb)) = (&a.name, &b.name)
                && na != nb
            {
                self.note(
                    &join_path(p, nb),
                    ChangeKind::FieldRenamed,
                    Compat::AsIs,
                    format!(
                        "{}Row field {i} renamed from `{na}` (Row field names are not stored, so this alone changes nothing)",
                        at(&join_path(p, nb))
                    ),
                );
            }
            result = result.max(self.resolve(&join_path(p, &name), &a.ty, &b.ty, d));
        }
        result
    }

    /// Map keys and values, Either sides, timer keys and namespaces: two nested serializers.
    pub(super) fn pair(
        &mut self,
        p: &str,
        (first, fa, fb): (&str, &Type, &Type),
        (second, sa, sb): (&str, &Type, &Type),
        d: usize,
    ) -> Compat {
        let f = self.resolve(&join_path(p, first), fa, fb, d);
        f.max(self.resolve(&join_path(p, second), sa, sb, d))
    }

    pub(super) fn case_class(
        &mut self,
        p: &str,
        (ca, fa): (&str, &[Field]),
        (cb, fb): (&str, &[Field]),
        d: usize,
    ) -> Compat {
        if !same_class(ca, cb) {
            return self.class_renamed(p, "case class", ca, cb);
        }
        if fa.len() != fb.len() {
            return self.note(
                p,
                ChangeKind::ArityChanged,
                Compat::Incompatible,
                format!(
                    "{}case class {ca} has {} fields now, {} before: the Scala case class serializer is incompatible",
                    at(p),
                    fb.len(),
                    fa.len()
                ),
            );
        }
        let mut result = Compat::AsIs;
        for (i, (a, b)) in fa.iter().zip(fb).enumerate() {
            let name = b.name.clone().unwrap_or_else(|| format!("f{i}"));
            result = result.max(self.resolve(&join_path(p, &name), &a.ty, &b.ty, d));
        }
        result
    }

    pub(super) fn composite(
        &mut self,
        p: &str,
        (old, new): (&Type, &Type),
        (ca, oa, na): (&String, &Option<String>, &[Type]),
        (cb, ob, nb): (&String, &Option<String>, &[Type]),
        d: usize,
    ) -> Compat {
        if ca != cb || oa != ob {
            return self.changed(p, old, new);
        }
        if na.len() != nb.len() {
            return self.note(
                p,
                ChangeKind::ArityChanged,
                Compat::Incompatible,
                format!(
                    "{}{ca} has {} nested serializers now, {} before",
                    at(p),
                    nb.len(),
                    na.len()
                ),
            );
        }
        let mut result = Compat::AsIs;
        for (i, (a, b)) in na.iter().zip(nb).enumerate() {
            result = result.max(self.resolve(&join_path(p, &format!("#{i}")), a, b, d));
        }
        result
    }
}
