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

/// A file a server function built for the browser to save (an export).
pub trait ExportFile {
    fn filename(&self) -> &str;
    fn mime(&self) -> &str;
    fn content(&self) -> &str;
    /// What the page says once it is saved.
    fn message(&self) -> String;
}

/// Saves the file each run of `export` returns, then says so, or why not (the server's error
/// or the browser's refusal).
#[component]
pub fn ExportOutcome<I, T>(export: Action<I, Result<T, ServerFnError>>, test_id: &'static str) -> impl IntoView
where
    I: Send + Sync + 'static,
    T: ExportFile + Clone + Send + Sync + 'static,
{
    let outcome = RwSignal::new(None::<Result<String, String>>);
    Effect::new(move |_| {
        if let Some(result) = export.value().get() {
            let saved = result
                .map_err(|error| crate::session::error_message(&error))
                .and_then(|file| {
                    crate::browser::download(file.filename(), file.mime(), file.content())
                        .map(|()| file.message())
                        .map_err(|problem| format!("The file could not be saved: {problem}"))
                });
            outcome.set(Some(saved));
        }
    });
    move || {
        outcome.get().map(|saved| match saved {
            Ok(text) => view! {
                <span role="status" class="text-sm text-emerald-700 dark:text-emerald-300" data-testid=test_id>{text}</span>
            }
            .into_any(),
            Err(text) => view! {
                <span role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid=test_id>{text}</span>
            }
            .into_any(),
        })
    }
}

/// A panel that slides in from the right over a dimmed page while `selected` holds an id:
/// the run or event detail of the log tables. Clicking the dimmed page, the Close button or
/// Escape clears `selected`; focus moves into the panel when it opens, so Escape works at once.
/// `actions` go in the header beside Close; `children` are the body.
#[component]
pub fn Drawer(
    selected: RwSignal<Option<String>>,
    /// The heading, e.g. "Event".
    title: &'static str,
    /// What a screen reader announces, e.g. "Event detail".
    label: &'static str,
    /// The panel's `data-testid`.
    test_id: &'static str,
    /// The Close button's `data-testid`.
    close_test_id: &'static str,
    /// The Tailwind max-width of the panel, e.g. `max-w-2xl`.
    width: &'static str,
    #[prop(into)] actions: ViewFn,
    children: ChildrenFn,
) -> impl IntoView {
    let close = move || selected.set(None);
    let panel = NodeRef::<leptos::html::Aside>::new();
    Effect::new(move |_| {
        if selected.with(Option::is_some) {
            if let Some(panel) = panel.get() {
                let _ = panel.focus();
            }
        }
    });
    let class = format!(
        "fixed inset-y-0 right-0 z-50 flex w-full {width} flex-col gap-3 overflow-y-auto border-l border-slate-200 \
         bg-white p-5 shadow-xl outline-none dark:border-slate-700 dark:bg-slate-800"
    );
    view! {
        <Show when=move || selected.with(Option::is_some)>
            <div class="fixed inset-0 z-40 bg-slate-900/30" on:click=move |_| close() aria-hidden="true"></div>
            <aside role="dialog" aria-modal="true" aria-label=label data-testid=test_id tabindex="-1"
                   node_ref=panel on:keydown=move |event| if event.key() == "Escape" { close() }
                   class=class.clone()>
                <div class="flex items-center justify-between gap-3">
                    <h2 class="text-base font-semibold text-slate-900 dark:text-white">{title}</h2>
                    <div class="flex items-center gap-2">
                        {actions.run()}
                        <button type="button" data-testid=close_test_id aria-label="Close"
                                class="rounded border border-slate-300 px-2 py-1 text-sm dark:border-slate-600"
                                on:click=move |_| close()>
                            "Close"
                        </button>
                    </div>
                </div>
                {children()}
            </aside>
        </Show>
    }
}

/// A labelled progress bar; `percent` is 0–100. `failed` turns it red.
#[component]
pub fn ProgressBar(
    #[prop(into)] label: String,
    percent: f64,
    #[prop(into)] detail: String,
    #[prop(optional)] failed: bool,
    #[prop(into, optional)] test_id: String,
) -> impl IntoView {
    let percent = percent.clamp(0.0, 100.0);
    let fill = if failed {
        "bg-red-500"
    } else if percent >= 100.0 {
        "bg-emerald-500"
    } else {
        "bg-[#03a9f4]"
    };
    view! {
        <div class="flex flex-col gap-1" data-testid=test_id data-percent=format!("{percent:.0}")>
            <div class="flex justify-between text-xs">
                <span class="font-medium text-slate-700 dark:text-slate-200">{label}</span>
                <span class="text-slate-500 dark:text-slate-400" data-testid="progress-detail">{detail}</span>
            </div>
            <div class="h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
                 role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=format!("{percent:.0}")>
                <div class=format!("h-2 rounded-full transition-all {fill}") style=format!("width: {percent:.1}%")></div>
            </div>
        </div>
    }
}

/// Previous / "Page N of M" / Next under a paged table. `test_id` names the three parts
/// (`{test_id}-previous`, `{test_id}-page`, `{test_id}-next`); `page` is the signal the table's
/// query reads, 1-based.
#[component]
pub fn Pager(page: RwSignal<i64>, current: i64, pages: i64, test_id: &'static str) -> impl IntoView {
    let button = "rounded border border-slate-300 px-2 py-1 disabled:opacity-40 dark:border-slate-600";
    // Computed here: in `view!`, a `>` inside an attribute's value would end the tag.
    let at_first = current <= 1;
    let at_last = current >= pages;
    view! {
        <div class="mt-3 flex items-center gap-3 text-sm">
            <button type="button" data-testid=format!("{test_id}-previous") disabled=at_first class=button
                    on:click=move |_| page.set((current - 1).max(1))>"Previous"</button>
            <span data-testid=format!("{test_id}-page")>{format!("Page {current} of {pages}")}</span>
            <button type="button" data-testid=format!("{test_id}-next") disabled=at_last class=button
                    on:click=move |_| page.set(current + 1)>"Next"</button>
        </div>
    }
}

/// A read-only text box with a Copy button. Clicking it selects the text and copies it
/// (`document.execCommand("copy")`, which works in Clockify's cross-origin iframe where the
/// Clipboard API may be blocked); when copying is refused the text stays selected for Ctrl+C.
#[component]
pub fn CopyField(
    #[prop(into)] value: String,
    #[prop(into)] label: String,
    #[prop(into, optional)] test_id: String,
    /// A multi-line box (e.g. a command) instead of one line.
    #[prop(optional)]
    multiline: bool,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let line = NodeRef::<leptos::html::Input>::new();
    let block = NodeRef::<leptos::html::Textarea>::new();
    let copy = move |_| {
        if let Some(input) = line.get() {
            input.select();
        }
        if let Some(area) = block.get() {
            area.select();
        }
        copied.set(Some(copy_selection()));
    };
    let status = move || match copied.get() {
        Some(true) => "Copied",
        Some(false) => "Selected: press Ctrl+C to copy",
        None => "",
    };
    let class =
        "min-w-0 flex-1 rounded border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-xs text-slate-900 \
                 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";
    let button_id = if test_id.is_empty() {
        String::new()
    } else {
        format!("{test_id}-copy")
    };
    let field = if multiline {
        let rows = value.lines().count().clamp(2, 12);
        view! {
            <textarea readonly node_ref=block rows=rows aria-label=label.clone() data-testid=test_id.clone()
                      spellcheck="false" class=format!("{class} whitespace-pre")>{value}</textarea>
        }
        .into_any()
    } else {
        view! {
            <input type="text" readonly node_ref=line value=value aria-label=label.clone() data-testid=test_id.clone()
                   spellcheck="false" class=class/>
        }
        .into_any()
    };
    view! {
        <div class="flex items-start gap-2">
            {field}
            <button type="button" data-testid=button_id on:click=copy aria-label=format!("Copy {label}")
                    class="shrink-0 rounded border border-slate-300 px-2 py-1 text-xs font-semibold text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-700">
                "Copy"
            </button>
            <span role="status" class="shrink-0 self-center text-xs text-emerald-700 dark:text-emerald-300">{status}</span>
        </div>
    }
}

/// Copies the page's current selection; false when the browser refused.
#[cfg(feature = "hydrate")]
fn copy_selection() -> bool {
    use leptos::wasm_bindgen::prelude::*;

    #[wasm_bindgen(wasm_bindgen = leptos::wasm_bindgen)]
    extern "C" {
        #[wasm_bindgen(js_namespace = document, js_name = execCommand, catch)]
        fn exec_command(command: &str) -> Result<bool, JsValue>;
    }
    exec_command("copy").unwrap_or(false)
}

#[cfg(not(feature = "hydrate"))]
fn copy_selection() -> bool {
    false
}

/// Thousands separators: 12345 → "12,345".
pub fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(-1234567), "-1,234,567");
    }
}
