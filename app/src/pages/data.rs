//! Data: the entities the bootstrap stored, by kind, with search by name and paging; each row
//! opens to the JSON Clockify sent. The kind shown (with its search) exports as JSON or CSV.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    components::{thousands, Card, ExportFile, ExportOutcome, Pager},
    session::{error_message, SessionView},
};

/// Rows per page.
pub const PAGE_SIZE: i64 = 25;

/// The most entities one export writes.
pub const MAX_EXPORT_ENTITIES: i64 = 50_000;

/// The most bytes of Clockify's JSON one export reads (the file travels to the browser whole).
pub const MAX_EXPORT_BYTES: usize = 32 * 1024 * 1024;

/// One kind's entities as a file: a JSON array of the objects as Clockify sent them, or CSV
/// (one column per field, nested objects one level deep as `parent.child`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataExport {
    /// e.g. `projects-20261130-1705.csv`.
    pub filename: String,
    pub mime: String,
    pub content: String,
    pub exported: i64,
    /// Entities that matched.
    pub total: i64,
    /// Whether a limit stopped the export early.
    pub truncated: bool,
}

impl ExportFile for DataExport {
    fn filename(&self) -> &str {
        &self.filename
    }

    fn mime(&self) -> &str {
        &self.mime
    }

    fn content(&self) -> &str {
        &self.content
    }

    fn message(&self) -> String {
        if self.truncated {
            format!(
                "Exported the first {} of {} (at most {MAX_EXPORT_ENTITIES} or {} MiB per file; search to narrow it)",
                thousands(self.exported),
                thousands(self.total),
                MAX_EXPORT_BYTES / (1024 * 1024)
            )
        } else {
            format!("Exported {} to {}", thousands(self.exported), self.filename)
        }
    }
}

/// `kind` as it may stand in a file name: its letters, digits, dashes and underscores.
pub fn file_safe_kind(kind: &str) -> String {
    let kind: String = kind
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if kind.is_empty() {
        "entities".to_string()
    } else {
        kind
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityItem {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub fetched_at: String,
    /// Pretty-printed JSON.
    pub json: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityList {
    pub kinds: Vec<KindCount>,
    /// The kind shown (the first with data when none was asked for).
    pub kind: String,
    pub items: Vec<EntityItem>,
    pub total: i64,
    /// From 1.
    pub page: i64,
}

#[server]
pub async fn list_entities(
    session: String,
    kind: String,
    search: String,
    page: i64,
) -> Result<EntityList, ServerFnError> {
    use addon_core::bootstrap::RESOURCES;

    use crate::backend::{authenticate, format_time, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let counts = backend
        .store
        .entity_counts(profile.key, &session.workspace_id)
        .await
        .map_err(to_server_error)?;
    let mut kinds: Vec<KindCount> = counts
        .into_iter()
        .map(|(kind, count)| KindCount {
            label: RESOURCES
                .iter()
                .find(|resource| resource.kind == kind)
                .map_or_else(|| kind.clone(), |resource| resource.label.to_string()),
            kind,
            count,
        })
        .collect();
    let order = |kind: &str| {
        RESOURCES
            .iter()
            .position(|resource| resource.kind == kind)
            .unwrap_or(usize::MAX)
    };
    kinds.sort_by_key(|count| order(&count.kind));
    let kind = if kinds.iter().any(|count| count.kind == kind) {
        kind
    } else {
        kinds.first().map(|count| count.kind.clone()).unwrap_or_default()
    };
    let page = page.max(1);
    let found = backend
        .store
        .entities(
            profile.key,
            &session.workspace_id,
            &kind,
            Some(search.as_str()),
            (page - 1) * PAGE_SIZE,
            PAGE_SIZE,
        )
        .await
        .map_err(to_server_error)?;
    let items = found
        .items
        .into_iter()
        .map(|row| EntityItem {
            json: serde_json::from_str::<serde_json::Value>(&row.data)
                .ok()
                .and_then(|value| serde_json::to_string_pretty(&value).ok())
                .unwrap_or(row.data),
            name: row.name.unwrap_or_else(|| "(no name)".into()),
            id: row.entity_id,
            parent_id: row.parent_id,
            fetched_at: format_time(row.fetched_at),
        })
        .collect();
    Ok(EntityList {
        kinds,
        kind,
        items,
        total: found.total,
        page,
    })
}

/// The entities of `kind` whose name contains `search`, by name, as `format` (`json` or `csv`):
/// at most [`MAX_EXPORT_ENTITIES`] and [`MAX_EXPORT_BYTES`].
#[server]
pub async fn export_entities(
    session: String,
    kind: String,
    search: String,
    format: String,
) -> Result<DataExport, ServerFnError> {
    use addon_core::{explorer::csv::to_csv, lifecycle::now_millis};

    use crate::backend::{authenticate, file_stamp, session_profile, to_server_error};

    let (backend, session) = authenticate(&session)?;
    let profile = session_profile(&session)?;
    let (extension, mime) = match format.as_str() {
        "json" => ("json", "application/json"),
        "csv" => ("csv", "text/csv"),
        other => {
            return Err(ServerFnError::new(format!(
                "there is no export format {other:?}; use json or csv"
            )))
        }
    };
    const BATCH: i64 = 500;
    let mut items: Vec<serde_json::Value> = Vec::new();
    let mut bytes = 0;
    let mut truncated = false;
    let total = 'pages: loop {
        let page = backend
            .store
            .entities(
                profile.key,
                &session.workspace_id,
                &kind,
                Some(search.as_str()),
                items.len() as i64,
                BATCH,
            )
            .await
            .map_err(to_server_error)?;
        let count = page.items.len() as i64;
        for row in page.items {
            if items.len() as i64 >= MAX_EXPORT_ENTITIES || bytes + row.data.len() > MAX_EXPORT_BYTES {
                truncated = true;
                break 'pages page.total;
            }
            bytes += row.data.len();
            items.push(serde_json::from_str(&row.data).unwrap_or(serde_json::Value::String(row.data)));
        }
        if count < BATCH {
            break page.total;
        }
    };
    let content = if extension == "csv" {
        // The byte order mark tells spreadsheet programs the file is UTF-8.
        format!("\u{feff}{}", to_csv(&items))
    } else {
        let lines: Vec<String> = items.iter().map(serde_json::Value::to_string).collect();
        format!("[\n{}\n]\n", lines.join(",\n"))
    };
    Ok(DataExport {
        filename: format!("{}-{}.{extension}", file_safe_kind(&kind), file_stamp(now_millis())),
        mime: mime.to_string(),
        content,
        exported: items.len() as i64,
        total,
        truncated,
    })
}

#[component]
pub fn DataPage() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let kind = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let token = session.token.clone();
    let list = Resource::new(
        move || (token.clone(), kind.get(), search.get(), page.get()),
        |(token, kind, search, page)| list_entities(token, kind, search, page),
    );
    // The kind the list shows (the server picks the first when none was chosen), for export.
    let shown_kind = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(list)) = list.get() {
            shown_kind.set(list.kind);
        }
    });
    let token = session.token.clone();
    let export = Action::new(move |format: &String| {
        export_entities(
            token.clone(),
            shown_kind.get_untracked(),
            search.get_untracked(),
            format.clone(),
        )
    });
    let export_button = move |format: &'static str, label: &'static str| {
        view! {
            <button type="button" data-testid=format!("data-export-{format}")
                    title="Download the entities of the kind shown (and the search) as a file"
                    class="rounded border border-slate-300 px-3 py-1 text-sm text-slate-700 hover:bg-slate-50 disabled:opacity-40 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-700"
                    disabled=move || shown_kind.with(String::is_empty) || export.pending().get()
                    on:click=move |_| { export.dispatch(format.to_string()); }>
                {label}
            </button>
        }
    };
    view! {
        <Card title="Workspace data">
            <div class="mb-3 flex flex-wrap items-center gap-3">
                <input type="search" placeholder="Search by name" aria-label="Search by name" data-testid="data-search"
                       class="w-64 rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900"
                       prop:value=move || search.get()
                       on:input=move |event| { search.set(event_target_value(&event)); page.set(1); }/>
                {export_button("csv", "Export CSV")}
                {export_button("json", "Export JSON")}
                <ExportOutcome export test_id="data-export-result"/>
            </div>
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(data) => view! { <EntityTable data kind page/> }.into_any(),
                        Err(error) => view! {
                            <p role="alert" class="text-sm text-red-600 dark:text-red-400">{error_message(&error)}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}

#[component]
fn EntityTable(data: EntityList, kind: RwSignal<String>, page: RwSignal<i64>) -> impl IntoView {
    if data.kinds.is_empty() {
        return view! {
            <p class="text-sm text-slate-500 dark:text-slate-400" data-testid="data-empty">
                "Nothing stored yet: the bootstrap on the Overview pulls your workspace's data."
            </p>
        }
        .into_any();
    }
    let tabs = data
        .kinds
        .iter()
        .map(|count| {
            let selected = count.kind == data.kind;
            let target = count.kind.clone();
            view! {
                <button type="button" data-kind=count.kind.clone() aria-pressed=selected.to_string()
                        class=if selected {
                            "rounded-full bg-[#03a9f4] px-3 py-1 text-xs font-semibold text-white"
                        } else {
                            "rounded-full bg-slate-100 px-3 py-1 text-xs text-slate-700 hover:bg-slate-200 dark:bg-slate-700 dark:text-slate-200"
                        }
                        on:click=move |_| { kind.set(target.clone()); page.set(1); }>
                    {format!("{} ({})", count.label, thousands(count.count))}
                </button>
            }
        })
        .collect_view();
    let pages = ((data.total + super::data::PAGE_SIZE - 1) / super::data::PAGE_SIZE).max(1);
    let current = data.page;
    let rows = data
        .items
        .iter()
        .map(|item| {
            view! {
                <tr class="border-t border-slate-100 align-top dark:border-slate-700" data-testid="entity-row">
                    <td class="py-1.5 pr-3">
                        <details>
                            <summary class="cursor-pointer text-sm font-medium text-slate-900 dark:text-slate-100">{item.name.clone()}</summary>
                            <pre class="mt-2 max-h-80 overflow-auto rounded bg-slate-50 p-2 text-xs dark:bg-slate-900">{item.json.clone()}</pre>
                        </details>
                    </td>
                    <td class="py-1.5 pr-3 font-mono text-xs text-slate-500 dark:text-slate-400">{item.id.clone()}</td>
                    <td class="py-1.5 text-xs text-slate-500 dark:text-slate-400">{item.fetched_at.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="mb-3 flex flex-wrap gap-2" data-testid="data-kinds">{tabs}</div>
        <p class="mb-2 text-xs text-slate-500 dark:text-slate-400" data-testid="data-total">
            {format!("{} match(es)", thousands(data.total))}
        </p>
        <table class="w-full text-left">
            <thead>
                <tr class="text-xs uppercase text-slate-500 dark:text-slate-400">
                    <th class="pb-1 font-semibold">"Name"</th>
                    <th class="pb-1 font-semibold">"ID"</th>
                    <th class="pb-1 font-semibold">"Fetched"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <Pager page current pages test_id="data"/>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names_and_messages() {
        assert_eq!(file_safe_kind("projects"), "projects");
        assert_eq!(file_safe_kind("../time_entries"), "time_entries");
        assert_eq!(file_safe_kind("/"), "entities");
        let export = DataExport {
            filename: "users-20261130-1705.csv".into(),
            mime: "text/csv".into(),
            content: String::new(),
            exported: 12,
            total: 12,
            truncated: false,
        };
        assert_eq!(export.message(), "Exported 12 to users-20261130-1705.csv");
        let cut = DataExport {
            exported: 50_000,
            total: 61_234,
            truncated: true,
            ..export
        };
        assert!(
            cut.message().starts_with("Exported the first 50,000 of 61,234"),
            "{}",
            cut.message()
        );
    }
}
