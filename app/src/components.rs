//! Small building blocks shared by the pages.

use leptos::prelude::*;

/// A white (or dark) card with a title.
#[component]
pub fn Card(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <section class="rounded-md border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-800">
            <h2 class="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{title}</h2>
            {children()}
        </section>
    }
}

/// A label and its value in a definition grid.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    #[prop(into, optional)] test_id: String,
) -> impl IntoView {
    view! {
        <div class="flex flex-col gap-0.5">
            <dt class="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
            <dd class="text-sm font-medium text-slate-900 dark:text-slate-100" data-testid=test_id>{value}</dd>
        </div>
    }
}

/// A readable error in place of a page's content.
#[component]
pub fn ErrorPanel(#[prop(into)] title: String, #[prop(into)] message: String) -> impl IntoView {
    view! {
        <div role="alert" data-testid="error-panel"
             class="mx-auto mt-10 max-w-lg rounded-md border border-red-200 bg-red-50 p-5 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
            <h1 class="mb-2 text-lg font-semibold">{title}</h1>
            <p class="text-sm">{message}</p>
        </div>
    }
}

/// A spinner line while data loads.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="p-4 text-sm text-slate-500 dark:text-slate-400">"Loading…"</p> }
}

/// A status badge: green for ACTIVE, amber otherwise.
#[component]
pub fn StatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let class = if status == "ACTIVE" {
        "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100"
    } else {
        "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100"
    };
    view! {
        <span data-testid="installation-status" class=format!("inline-block rounded-full px-2 py-0.5 text-xs font-semibold {class}")>{status}</span>
    }
}

/// Waits for a server function's resource, then renders its data with `render`, or a readable
/// error titled `error_title`. Every page loads its data through this.
pub fn loaded<T, V>(
    resource: Resource<Result<T, ServerFnError>>,
    error_title: &'static str,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=Loading>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => render(data).into_any(),
                        Err(error) => view! { <ErrorPanel title=error_title message=crate::session::error_message(&error)/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// An honest placeholder for a section this version does not have yet.
#[component]
pub fn NotBuiltYet(#[prop(into)] title: String, #[prop(into)] message: String) -> impl IntoView {
    view! {
        <Card title=title>
            <p class="text-sm" data-testid="not-built">{message}</p>
        </Card>
    }
}
