//! Row-level access in SQL: every query on facility data adds the user's scope.

use rules::access::Scope;
use sqlx::{QueryBuilder, Sqlite};

/// Appends ` AND …` limiting the facility alias `f` to what `scope` reaches.
/// Queries put it after their own conditions (`WHERE … ` then this).
pub fn push_scope(qb: &mut QueryBuilder<'_, Sqlite>, scope: &Scope, f: &str) {
    match *scope {
        Scope::Facility { id } => {
            qb.push(format!(" AND {f}.id = ")).push_bind(id);
        }
        Scope::Corporation { id } => {
            qb.push(format!(" AND {f}.corporation_id = ")).push_bind(id);
        }
        Scope::Association { prefecture, .. } => {
            qb.push(format!(" AND {f}.prefecture = ")).push_bind(prefecture.code());
            qb.push(format!(" AND {f}.facility_type IN ("));
            let mut types = qb.separated(", ");
            for t in scope.facility_types() {
                types.push_bind(t.code());
            }
            qb.push(")");
        }
        Scope::National => {}
        Scope::NoFacilities => {
            qb.push(" AND 0");
        }
    }
}
