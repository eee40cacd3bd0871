//! How an operation pages through its results (PLATFORM.md §4.3), in one function:
//! [`detect`].
//!
//! | kind | operations | parameters | first page | size |
//! |---|---|---|---|---|
//! | standard | most lists | query `page` + `page-size` | 1 | default 50, max not stated |
//! | time-off | `time-off/balance/…`, `time-off/policies` | query `page` + `page-size` | 1 | max 200 |
//! | running entries | `time-entries/status/in-progress` | query `page` + `page-size` | 1 | default 10, max 1000 |
//! | entity changes | `entities/created|updated|deleted` | query `page` + `limit` | 0 | default 50 |
//! | shared reports | `shared-reports` | query `page` + `pageSize` | 1 | default 50 |
//! | webhook logs | `webhooks/{id}/logs` (a POST) | query `page` + `size` | 0 | default 50 |
//! | report body | detailed, attendance and expense reports, audit log | fields of the POST body | 1 | audit log: default 20, max 50 |
//!
//! Defaults and maxima are read from the spec's schemas where it states them; the limits
//! PLATFORM.md §4.3 quotes fill in where it does not. The first page is 0 when the spec's
//! default for `page` is 0 (entity changes, webhook logs), else 1. Query-paginated responses
//! carry a [`LAST_PAGE_HEADER`] header; body-paginated reports do not.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{schema::resolve_pointer, Operation};

/// The response header that says whether this was the last page (`true` / `false`).
pub const LAST_PAGE_HEADER: &str = "Last-Page";

/// The page size to ask for when the spec states no maximum. PLATFORM.md §4.3: "Max page size
/// for most lists is not stated (third-party tools use 5000)".
pub const UNSTATED_MAX_PAGE_SIZE: u32 = 5000;

/// How an operation paginates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind")]
pub enum Pagination {
    /// Not paginated.
    None,
    /// Page number and size in query parameters.
    PageSize {
        /// `page` everywhere.
        page_param: &'static str,
        /// `page-size`, or `limit` (entity changes), `pageSize` (shared reports), `size`
        /// (webhook logs).
        size_param: &'static str,
        /// 1, or 0 where the spec's `page` defaults to 0.
        first_page: u32,
        default_size: Option<u32>,
        max_size: Option<u32>,
    },
    /// Page number and size in the POST body, as JSON pointers (`/detailedFilter/page`).
    ReportBody {
        page_field: &'static str,
        size_field: &'static str,
        first_page: u32,
        default_size: Option<u32>,
        max_size: Option<u32>,
    },
}

impl Pagination {
    /// Whether the operation is paginated at all.
    pub fn is_paginated(&self) -> bool {
        !matches!(self, Pagination::None)
    }

    /// The largest page size worth requesting: the known maximum, else
    /// [`UNSTATED_MAX_PAGE_SIZE`]. `None` when not paginated.
    pub fn largest_page_size(&self) -> Option<u32> {
        match self {
            Pagination::None => None,
            Pagination::PageSize { max_size, .. } | Pagination::ReportBody { max_size, .. } => {
                Some(max_size.unwrap_or(UNSTATED_MAX_PAGE_SIZE))
            }
        }
    }

    /// The number of the first page (0 or 1).
    pub fn first_page(&self) -> Option<u32> {
        match self {
            Pagination::None => None,
            Pagination::PageSize { first_page, .. } | Pagination::ReportBody { first_page, .. } => Some(*first_page),
        }
    }
}

/// Reports (and the audit log) paginate in the body; where, by path suffix. The summary and
/// weekly reports return everything at once.
const BODY_PAGINATION: &[(&str, &str, &str)] = &[
    ("/reports/detailed", "/detailedFilter/page", "/detailedFilter/pageSize"),
    (
        "/reports/attendance",
        "/attendanceFilter/page",
        "/attendanceFilter/pageSize",
    ),
    ("/reports/expenses/detailed", "/page", "/pageSize"),
    ("/audit-log", "/page", "/page-size"),
];

/// Size limits PLATFORM.md §4.3 quotes, by path fragment: (fragment, default, max). Used only
/// where the spec's own schema is silent.
const KNOWN_LIMITS: &[(&str, Option<u32>, Option<u32>)] = &[
    ("/time-off/balance/", None, Some(200)),
    ("/time-off/policies", None, Some(200)),
    ("/time-entries/status/in-progress", Some(10), Some(1000)),
];

/// Query size parameters besides `page-size`, in the order they are tried.
const SIZE_PARAMS: [&str; 4] = ["page-size", "limit", "pageSize", "size"];

/// Finds out how an operation paginates. `schemas` are the spec's `components.schemas`, used
/// to read body-paginated reports' field defaults.
pub fn detect(operation: &Operation, schemas: &Map<String, Value>) -> Pagination {
    if let Some(&(_, page_field, size_field)) = BODY_PAGINATION
        .iter()
        .find(|(suffix, _, _)| operation.path.ends_with(suffix))
    {
        if operation.request_body.is_some() {
            let body = operation
                .request_body
                .as_ref()
                .map(|body| &body.schema)
                .unwrap_or(&Value::Null);
            let page = resolve_pointer(body, page_field, schemas);
            let size = resolve_pointer(body, size_field, schemas);
            return Pagination::ReportBody {
                page_field,
                size_field,
                first_page: first_page(page.and_then(|schema| schema.get("default"))),
                default_size: size.and_then(|schema| as_u32(schema.get("default"))),
                max_size: size.and_then(|schema| as_u32(schema.get("maximum"))),
            };
        }
    }

    let Some(page) = operation.parameter("page") else {
        return Pagination::None;
    };
    let Some(size) = SIZE_PARAMS.iter().find_map(|name| operation.parameter(name)) else {
        return Pagination::None;
    };
    let size_param = SIZE_PARAMS
        .into_iter()
        .find(|name| *name == size.name)
        .unwrap_or("page-size");
    let known = KNOWN_LIMITS
        .iter()
        .find(|(fragment, _, _)| operation.path.contains(fragment));
    Pagination::PageSize {
        page_param: "page",
        size_param,
        first_page: first_page(page.default.as_ref()),
        default_size: as_u32(size.default.as_ref()).or(known.and_then(|limit| limit.1)),
        max_size: size.maximum.and_then(float_to_u32).or(known.and_then(|limit| limit.2)),
    }
}

/// 0 when the page number defaults to 0, else 1.
fn first_page(default: Option<&Value>) -> u32 {
    if as_u32(default) == Some(0) {
        0
    } else {
        1
    }
}

/// A JSON number or numeric string (`"50"`, as the entity-changes parameters write it).
fn as_u32(value: Option<&Value>) -> Option<u32> {
    match value? {
        Value::Number(number) => number.as_f64().and_then(float_to_u32),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn float_to_u32(value: f64) -> Option<u32> {
    (value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value)).then_some(value as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi::ApiSpec;

    fn of(id: &str) -> Pagination {
        ApiSpec::clockify()
            .operation(id)
            .unwrap_or_else(|| panic!("{id} is in the spec"))
            .pagination
    }

    fn query(size_param: &'static str, first: u32, default: Option<u32>, max: Option<u32>) -> Pagination {
        Pagination::PageSize {
            page_param: "page",
            size_param,
            first_page: first,
            default_size: default,
            max_size: max,
        }
    }

    #[test]
    fn standard_lists_use_page_and_page_size() {
        let expected = query("page-size", 1, Some(50), None);
        for id in [
            "getProjects",
            "getTasks",
            "getClients",
            "getTags",
            "getUsersOfWorkspace",
        ] {
            assert_eq!(of(id), expected, "{id}");
        }
        assert_eq!(expected.largest_page_size(), Some(UNSTATED_MAX_PAGE_SIZE));
    }

    #[test]
    fn time_off_lists_allow_200() {
        assert_eq!(of("getBalancesForPolicy"), query("page-size", 1, Some(50), Some(200)));
        assert_eq!(
            of("findPoliciesForWorkspace"),
            query("page-size", 1, Some(50), Some(200))
        );
        // The spec types this one's parameters as strings without defaults.
        assert_eq!(of("getBalancesForUser"), query("page-size", 1, None, Some(200)));
        assert_eq!(of("getBalancesForUser").largest_page_size(), Some(200));
    }

    #[test]
    fn running_time_entries_default_10_max_1000() {
        let pagination = of("getInProgressTimeEntries");
        assert_eq!(pagination, query("page-size", 1, Some(10), Some(1000)));
        assert_eq!(pagination.largest_page_size(), Some(1000));
    }

    #[test]
    fn entity_changes_use_page_from_0_and_limit() {
        for id in ["getCreatedEntityInfo", "getUpdatedEntityInfo", "getDeletedEntityInfo"] {
            assert_eq!(of(id), query("limit", 0, Some(50), None), "{id}");
        }
    }

    #[test]
    fn shared_reports_use_page_size_in_camel_case() {
        assert_eq!(of("getSharedReportsV1"), query("pageSize", 1, Some(50), None));
        assert_eq!(of("generateSharedReportV1"), query("pageSize", 1, None, None));
    }

    #[test]
    fn webhook_logs_use_page_from_0_and_size() {
        assert_eq!(of("getLogsForWebhook"), query("size", 0, Some(50), None));
    }

    #[test]
    fn reports_paginate_in_the_body() {
        assert_eq!(
            of("generateDetailedReport"),
            Pagination::ReportBody {
                page_field: "/detailedFilter/page",
                size_field: "/detailedFilter/pageSize",
                first_page: 1,
                default_size: None,
                max_size: None,
            }
        );
        assert!(matches!(
            of("generateAttendanceReport"),
            Pagination::ReportBody {
                page_field: "/attendanceFilter/page",
                ..
            }
        ));
        assert!(matches!(
            of("generateDetailedReportV1"),
            Pagination::ReportBody {
                page_field: "/page",
                size_field: "/pageSize",
                ..
            }
        ));
        assert_eq!(
            of("getAuditLogs"),
            Pagination::ReportBody {
                page_field: "/page",
                size_field: "/page-size",
                first_page: 1,
                default_size: Some(20),
                max_size: Some(50),
            }
        );
        assert_eq!(of("getAuditLogs").largest_page_size(), Some(50));
    }

    #[test]
    fn single_items_and_unpaged_reports_are_not_paginated() {
        for id in [
            "getProject",
            "getWebhooks",
            "generateSummaryReport",
            "generateWeeklyReport",
        ] {
            assert_eq!(of(id), Pagination::None, "{id}");
            assert_eq!(of(id).largest_page_size(), None);
        }
    }

    #[test]
    fn body_fields_exist_in_the_report_schemas() {
        let spec = ApiSpec::clockify();
        for operation in spec.operations() {
            if let Pagination::ReportBody {
                page_field, size_field, ..
            } = operation.pagination
            {
                let body = &operation.request_body.as_ref().unwrap().schema;
                for field in [page_field, size_field] {
                    assert!(
                        resolve_pointer(body, field, spec.schemas()).is_some(),
                        "{} has no {field}",
                        operation.id
                    );
                }
            }
        }
    }

    #[test]
    fn counts_paginated_operations() {
        let spec = ApiSpec::clockify();
        let count = |wanted: &str| {
            spec.operations()
                .iter()
                .filter(|operation| match operation.pagination {
                    Pagination::None => wanted == "none",
                    Pagination::PageSize { size_param, .. } => wanted == size_param,
                    Pagination::ReportBody { .. } => wanted == "body",
                })
                .count()
        };
        assert_eq!(count("page-size"), 21);
        assert_eq!(count("limit"), 3);
        assert_eq!(count("pageSize"), 2);
        assert_eq!(count("size"), 1);
        assert_eq!(count("body"), 4);
        assert_eq!(count("none"), 166 - 31);
    }
}
