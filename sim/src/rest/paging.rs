//! Clockify's pagination, shared by every list endpoint: `page` (1-indexed, default 1) and
//! `page-size` query parameters, a `Last-Page: true|false` header on every paginated answer,
//! and 400 `{"message", "code": 400}` for a `page` or `page-size` that is not a whole number in
//! range (0, negative, non-numeric, above the cap).

use std::collections::HashMap;

use axum::{
    extract::{FromRequestParts, Query},
    http::{request::Parts, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::Value;

use crate::error::{Error, Result};

/// The header telling whether a page is the last one.
pub const LAST_PAGE_HEADER: HeaderName = HeaderName::from_static("last-page");

/// Page-size default and caps of one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimits {
    /// `page-size` when the parameter is left out.
    pub default_size: u64,
    /// The largest `page-size` accepted.
    pub max_size: u64,
    /// The largest `page` accepted, if Clockify states one.
    pub max_page: Option<u64>,
}

/// Most lists: default 50. Clockify states no maximum; third-party tools use 5,000, so that is
/// the cap here.
pub const STANDARD: PageLimits = PageLimits {
    default_size: 50,
    max_size: 5_000,
    max_page: None,
};

/// Time-off policies (and balances): `page-size` at most 200, `page` at most 1,000.
pub const TIME_OFF: PageLimits = PageLimits {
    default_size: 50,
    max_size: 200,
    max_page: Some(1_000),
};

/// Running time entries: default 10, at most 1,000.
pub const IN_PROGRESS: PageLimits = PageLimits {
    default_size: 10,
    max_size: 1_000,
    max_page: None,
};

/// The query parameters of an `/api` request; a malformed query is a Clockify-shaped 400.
#[derive(Debug, Clone, Default)]
pub struct ApiQuery(pub HashMap<String, String>);

impl ApiQuery {
    /// The value of parameter `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiQuery {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Query(map)| ApiQuery(map))
            .map_err(|rejection| Error::ApiBadRequest(rejection.body_text()))
    }
}

/// The page a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// 1-indexed page number.
    pub page: u64,
    /// Items per page.
    pub size: u64,
}

fn whole_number(query: &ApiQuery, name: &str, default: u64, max: Option<u64>) -> Result<u64> {
    let Some(text) = query.get(name) else {
        return Ok(default);
    };
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|value| *value >= 1 && max.is_none_or(|max| *value <= max))
        .ok_or_else(|| {
            let range = match max {
                Some(max) => format!("from 1 to {max}"),
                None => "of at least 1".into(),
            };
            Error::ApiBadRequest(format!(
                "Invalid value '{text}' for parameter '{name}': must be a whole number {range}"
            ))
        })
}

impl Paging {
    /// Reads `page` and `page-size` from `query`.
    pub fn from_query(query: &ApiQuery, limits: PageLimits) -> Result<Paging> {
        Ok(Paging {
            page: whole_number(query, "page", 1, limits.max_page)?,
            size: whole_number(query, "page-size", limits.default_size, Some(limits.max_size))?,
        })
    }

    /// The items of this page and whether it is the last one (also true past the end).
    pub fn slice<'a, T>(&self, items: &'a [T]) -> (&'a [T], bool) {
        let offset = (self.page - 1).saturating_mul(self.size);
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(items.len());
        let size = usize::try_from(self.size).unwrap_or(usize::MAX);
        let end = start.saturating_add(size).min(items.len());
        (&items[start..end], end == items.len())
    }

    /// This page of `items` as a JSON array of `dto(item)`.
    pub fn array<T>(&self, items: &[T], dto: impl Fn(&T) -> Value) -> Paged {
        let (page, last_page) = self.slice(items);
        Paged {
            body: Value::Array(page.iter().map(dto).collect()),
            last_page,
        }
    }
}

/// A 200 answer with the `Last-Page` header.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged {
    /// The JSON body.
    pub body: Value,
    /// Whether no page follows.
    pub last_page: bool,
}

impl IntoResponse for Paged {
    fn into_response(self) -> Response {
        let last_page = HeaderValue::from_static(if self.last_page { "true" } else { "false" });
        (StatusCode::OK, [(LAST_PAGE_HEADER, last_page)], Json(self.body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ApiQuery {
        ApiQuery(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            Paging::from_query(&query(&[]), STANDARD).unwrap(),
            Paging { page: 1, size: 50 }
        );
        assert_eq!(Paging::from_query(&query(&[]), IN_PROGRESS).unwrap().size, 10);
        let ok = Paging::from_query(&query(&[("page", "3"), ("page-size", "5000")]), STANDARD).unwrap();
        assert_eq!(ok, Paging { page: 3, size: 5000 });
        for (name, value) in [
            ("page", "0"),
            ("page", "-1"),
            ("page", "x"),
            ("page", ""),
            ("page-size", "0"),
            ("page-size", "5001"),
            ("page-size", "1.5"),
            ("page", "99999999999999999999999"),
        ] {
            let error = Paging::from_query(&query(&[(name, value)]), STANDARD).unwrap_err();
            assert!(matches!(error, Error::ApiBadRequest(_)), "{name}={value}");
        }
        assert!(Paging::from_query(&query(&[("page-size", "201")]), TIME_OFF).is_err());
        assert!(Paging::from_query(&query(&[("page", "1001")]), TIME_OFF).is_err());
        assert!(Paging::from_query(&query(&[("page-size", "1001")]), IN_PROGRESS).is_err());
    }

    #[test]
    fn slices_and_last_page() {
        let items: Vec<u32> = (0..5).collect();
        let page = |page, size| Paging { page, size }.slice(&items);
        assert_eq!(page(1, 2), (&items[0..2], false));
        assert_eq!(page(3, 2), (&items[4..5], true));
        assert_eq!(page(1, 5), (&items[0..5], true));
        assert_eq!(page(2, 5), (&items[5..5], true));
        assert_eq!(page(u32::MAX as u64, 5000), (&items[5..5], true));
        assert_eq!(Paging { page: 1, size: 50 }.slice::<u32>(&[]), (&[][..], true));
    }
}
