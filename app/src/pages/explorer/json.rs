//! JSON as a collapsible tree: objects and arrays are `<details>` whose children are built
//! when first opened, 100 at a time, so a large answer renders at once. Every value is text.

use serde_json::Value;

use leptos::prelude::*;

/// Children rendered per "show more".
const CHILDREN_PER_STEP: usize = 100;

/// A small answer opens two levels at first, a large one only its top.
const SMALL: usize = 25;

/// Scalar fields an object's summary previews.
const PREVIEW_FIELDS: usize = 3;

/// The tree of `value`.
#[component]
pub(crate) fn JsonTree(value: Value) -> impl IntoView {
    let size = match &value {
        Value::Array(items) => items.len(),
        Value::Object(object) => object.len(),
        _ => 0,
    };
    let open_levels = if size <= SMALL { 2 } else { 1 };
    view! { <div class="font-mono text-xs leading-5" data-testid="json-tree">{node(None, value, 0, open_levels)}</div> }
}

/// `{id: "…", name: "…", …}` from an object's first scalar fields.
fn preview(object: &serde_json::Map<String, Value>) -> String {
    let fields: Vec<String> = object
        .iter()
        .filter(|(_, value)| !value.is_object() && !value.is_array())
        .take(PREVIEW_FIELDS)
        .map(|(key, value)| {
            let mut text = value.to_string();
            if text.chars().count() > 40 {
                text = text.chars().take(39).collect::<String>() + "…";
            }
            format!("{key}: {text}")
        })
        .collect();
    let more = if object.len() > fields.len() { ", …" } else { "" };
    format!("{{{}{more}}}", fields.join(", "))
}

fn node(key: Option<String>, value: Value, depth: usize, open_levels: usize) -> AnyView {
    let key_view = key.map(|key| {
        view! { <span class="text-slate-700 dark:text-slate-300">{key}</span><span class="text-slate-400">": "</span> }
    });
    match value {
        Value::Object(object) if !object.is_empty() => {
            let label = format!(
                "{} {} key{}",
                preview(&object),
                object.len(),
                if object.len() == 1 { "" } else { "s" }
            );
            let children: Vec<(String, Value)> = object
                .into_iter()
                .map(|(key, value)| (format!("\"{key}\""), value))
                .collect();
            container(key_view.into_any(), label, children, depth, open_levels)
        }
        Value::Array(items) if !items.is_empty() => {
            let label = format!("[…] {} item{}", items.len(), if items.len() == 1 { "" } else { "s" });
            let children: Vec<(String, Value)> = items
                .into_iter()
                .enumerate()
                .map(|(index, value)| (index.to_string(), value))
                .collect();
            container(key_view.into_any(), label, children, depth, open_levels)
        }
        scalar => {
            let (text, class) = match &scalar {
                Value::String(text) => (format!("\"{text}\""), "text-emerald-700 dark:text-emerald-300"),
                Value::Number(number) => (number.to_string(), "text-sky-700 dark:text-sky-300"),
                Value::Bool(flag) => (flag.to_string(), "text-violet-700 dark:text-violet-300"),
                Value::Null => ("null".to_string(), "text-slate-400"),
                Value::Object(_) => ("{}".to_string(), "text-slate-500"),
                Value::Array(_) => ("[]".to_string(), "text-slate-500"),
            };
            view! {
                <div class="whitespace-pre-wrap break-all pl-4">{key_view}<span class=class>{text}</span></div>
            }
            .into_any()
        }
    }
}

fn container(
    key_view: AnyView,
    label: String,
    children: Vec<(String, Value)>,
    depth: usize,
    open_levels: usize,
) -> AnyView {
    let open = depth < open_levels;
    let built = RwSignal::new(open);
    let shown = RwSignal::new(CHILDREN_PER_STEP);
    let total = children.len();
    let children = StoredValue::new(children);
    view! {
        <details open=open class="pl-4">
            <summary class="-ml-4 cursor-pointer select-none" on:click=move |_| built.set(true)>
                {key_view}<span class="text-slate-400">{label}</span>
            </summary>
            {move || built.get().then(|| {
                let limit = shown.get();
                let rows = children.with_value(|children| {
                    children
                        .iter()
                        .take(limit)
                        .map(|(key, value)| node(Some(key.clone()), value.clone(), depth + 1, open_levels))
                        .collect_view()
                });
                view! {
                    <div class="border-l border-slate-200 dark:border-slate-700">{rows}</div>
                    {(total > limit).then(|| view! {
                        <button type="button" class="ml-4 text-[#03a9f4] hover:underline"
                                on:click=move |_| shown.update(|shown| *shown += CHILDREN_PER_STEP)>
                            {format!("show {} more of {}", CHILDREN_PER_STEP.min(total - limit), total - limit)}
                        </button>
                    })}
                }
            })}
        </details>
    }
    .into_any()
}
