//! Navigation: which pages each role sees in the header.

use rules::Role;

/// One entry of the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    /// Link target.
    pub href: &'static str,
    /// Japanese label.
    pub label: &'static str,
}

const HOME: NavItem = NavItem { href: "/", label: "ホーム" };
const FACILITIES: NavItem = NavItem { href: "/facilities", label: "施設" };
const ADMIN_USERS: NavItem = NavItem { href: "/admin/users", label: "利用者管理" };
const VENDOR_REVIEW: NavItem = NavItem { href: "/admin/vendors", label: "事業者の確認" };
const REGISTRY: NavItem = NavItem { href: "/admin/registry", label: "医療機関の登録簿" };
const AUDIT_TRAIL: NavItem = NavItem { href: "/audit-log", label: "監査ログ" };
const COMPLAINTS: NavItem = NavItem { href: "/complaints", label: "相談" };
const LEAGUE: NavItem = NavItem { href: "/vendors", label: "ベンダー比較" };
const DASHBOARD: NavItem = NavItem { href: "/dashboard", label: "ダッシュボード" };
const APPLICATIONS: NavItem = NavItem { href: "/applications", label: "交付申請" };
const SUBSIDY: NavItem = NavItem { href: "/subsidy", label: "補助金シミュレーション" };
const STATISTICS: NavItem = NavItem { href: "/reference/statistics", label: "導入状況（公表値）" };
const VENDORS: NavItem = NavItem { href: "/reference/vendors", label: "ベンダー" };
const BENCHMARKS: NavItem = NavItem { href: "/reference/benchmarks", label: "基準値・出典" };

/// The pages a role reaches from the header, in display order.
///
/// Reviewers and auditors start from the national picture; clinic managers
/// from the benchmarks they check quotes against.
pub fn nav_items(role: Role) -> Vec<NavItem> {
    match role {
        Role::ClinicManager => {
            vec![HOME, FACILITIES, DASHBOARD, APPLICATIONS, COMPLAINTS, SUBSIDY, BENCHMARKS, VENDORS, STATISTICS]
        }
        Role::Reviewer => {
            vec![
                HOME,
                FACILITIES,
                DASHBOARD,
                COMPLAINTS,
                APPLICATIONS,
                LEAGUE,
                STATISTICS,
                VENDORS,
                BENCHMARKS,
                SUBSIDY,
            ]
        }
        Role::Auditor => vec![
            HOME,
            FACILITIES,
            DASHBOARD,
            COMPLAINTS,
            APPLICATIONS,
            LEAGUE,
            AUDIT_TRAIL,
            STATISTICS,
            VENDORS,
            BENCHMARKS,
            SUBSIDY,
        ],
        Role::Admin => vec![HOME, ADMIN_USERS, VENDOR_REVIEW, REGISTRY, BENCHMARKS, VENDORS, STATISTICS, SUBSIDY],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_starts_at_home_and_reaches_the_calculator_without_duplicate_links() {
        for role in Role::ALL {
            let items = nav_items(role);
            assert_eq!(items.first(), Some(&HOME));
            assert!(items.contains(&SUBSIDY), "{role}");
            let mut hrefs: Vec<_> = items.iter().map(|i| i.href).collect();
            hrefs.sort_unstable();
            hrefs.dedup();
            assert_eq!(hrefs.len(), items.len(), "{role}");
        }
    }

    #[test]
    fn facility_roles_see_facilities_right_after_home_and_admins_do_not() {
        assert_eq!(nav_items(Role::Reviewer)[1], FACILITIES);
        assert_eq!(nav_items(Role::ClinicManager)[1], FACILITIES);
        assert!(!nav_items(Role::Admin).contains(&FACILITIES));
    }
}
