//! "Fetch all pages" for operations paginated in the query (`page` and a size parameter):
//! the caller sends one page at a time through the explorer's execute endpoint (so progress
//! and cancel are real, and every request draws from the workspace's rate budget) and feeds
//! each answer to [`PageWalk::absorb`] until [`PageWalk::is_finished`]: after a page with
//! `Last-Page: true`, an empty page, or (without the header) a short page.

use serde_json::Value;

use super::FormValues;
use crate::openapi::{Operation, Pagination};

/// A walk stops after this many pages whatever the answers say.
pub const MAX_PAGES: u32 = 10_000;

/// The state of one "fetch all pages".
#[derive(Debug, Clone, PartialEq)]
pub struct PageWalk {
    page_param: &'static str,
    size_param: &'static str,
    next_page: u32,
    page_size: u32,
    pages: u32,
    items: Vec<Value>,
    finished: bool,
}

impl PageWalk {
    /// A walk over `operation` with the form's `values`, or `None` when the operation is not
    /// paginated in the query. A valid page size in the form is kept; otherwise the largest
    /// the operation takes. It starts at the operation's first page whatever the form says.
    pub fn start(operation: &Operation, values: &FormValues) -> Option<PageWalk> {
        let Pagination::PageSize {
            page_param,
            size_param,
            first_page,
            max_size,
            ..
        } = operation.pagination
        else {
            return None;
        };
        let largest = operation.pagination.largest_page_size()?;
        let page_size = values
            .get(size_param)
            .and_then(|text| text.trim().parse::<u32>().ok())
            .filter(|size| *size >= 1 && max_size.is_none_or(|max| *size <= max))
            .unwrap_or(largest);
        Some(PageWalk {
            page_param,
            size_param,
            next_page: first_page,
            page_size,
            pages: 0,
            items: Vec::new(),
            finished: false,
        })
    }

    /// The form values for the next page: the caller's, with the page and size set.
    pub fn next_values(&self, values: &FormValues) -> FormValues {
        let mut next = values.clone();
        next.insert(self.page_param.to_string(), self.next_page.to_string());
        next.insert(self.size_param.to_string(), self.page_size.to_string());
        next
    }

    /// Takes one page's answer (its JSON body and `Last-Page` header). An answer without a
    /// list ends the walk with an error.
    pub fn absorb(&mut self, body: &Value, last_page: Option<bool>) -> Result<(), String> {
        let Some(items) = list_items(body) else {
            self.finished = true;
            return Err(format!("page {} holds no list", self.next_page));
        };
        let count = items.len();
        self.items.extend(items.iter().cloned());
        self.pages += 1;
        self.next_page += 1;
        self.finished = last_page == Some(true)
            || count == 0
            || (last_page.is_none() && count < self.page_size as usize)
            || self.pages >= MAX_PAGES;
        Ok(())
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Pages received so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// Every item received so far, in order.
    pub fn items(&self) -> &[Value] {
        &self.items
    }

    pub fn into_items(self) -> Vec<Value> {
        self.items
    }
}

/// The list in a page's body: the body itself when it is an array, else the first array
/// among an object's fields (`{"requests": [...], "count": 3}`).
pub fn list_items(body: &Value) -> Option<&Vec<Value>> {
    match body {
        Value::Array(items) => Some(items),
        Value::Object(object) => object.values().find_map(Value::as_array),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::openapi::ApiSpec;

    fn operation(id: &str) -> &'static Operation {
        ApiSpec::clockify().operation(id).unwrap()
    }

    #[test]
    fn walks_until_last_page() {
        let values: FormValues = [
            ("workspaceId".to_string(), "w".to_string()),
            ("page-size".into(), "2".into()),
        ]
        .into_iter()
        .collect();
        let mut walk = PageWalk::start(operation("getUsersOfWorkspace"), &values).unwrap();
        assert_eq!(walk.page_size(), 2);
        let first = walk.next_values(&values);
        assert_eq!(first.get("page").map(String::as_str), Some("1"));
        assert_eq!(first.get("page-size").map(String::as_str), Some("2"));
        walk.absorb(&json!([1, 2]), Some(false)).unwrap();
        assert!(!walk.is_finished());
        assert_eq!(walk.next_values(&values).get("page").map(String::as_str), Some("2"));
        walk.absorb(&json!([3]), Some(true)).unwrap();
        assert!(walk.is_finished());
        assert_eq!(walk.pages(), 2);
        assert_eq!(walk.into_items(), vec![json!(1), json!(2), json!(3)]);
    }

    #[test]
    fn stops_on_an_empty_or_short_page_without_the_header() {
        let values = FormValues::new();
        let mut walk = PageWalk::start(operation("getTags"), &values).unwrap();
        assert_eq!(walk.page_size(), 5000, "the largest page by default");
        walk.absorb(&json!([]), None).unwrap();
        assert!(walk.is_finished());
        let mut walk = PageWalk::start(operation("getTags"), &values).unwrap();
        walk.absorb(&json!({ "items": [1, 2], "count": 2 }), None).unwrap();
        assert!(walk.is_finished());
        assert_eq!(walk.items().len(), 2);
        let mut walk = PageWalk::start(operation("getTags"), &values).unwrap();
        assert!(walk.absorb(&json!("text"), None).is_err());
        assert!(walk.is_finished());
    }

    #[test]
    fn zero_based_operations_start_at_zero_and_caps_hold() {
        let values: FormValues = [("limit".to_string(), "9999999".to_string())].into_iter().collect();
        let walk = PageWalk::start(operation("getCreatedEntityInfo"), &values).unwrap();
        assert_eq!(walk.next_values(&values).get("page").map(String::as_str), Some("0"));
        let walk = PageWalk::start(operation("findPoliciesForWorkspace"), &FormValues::new()).unwrap();
        assert_eq!(walk.page_size(), 200);
        assert!(PageWalk::start(operation("createNewTag"), &FormValues::new()).is_none());
        assert!(PageWalk::start(operation("generateDetailedReport"), &FormValues::new()).is_none());
    }
}
