//! The frame around every page: opens the session from `auth_token`, applies the theme and
//! shows the top navigation. A bad token shows the error page instead.

use addon_core::claims::Theme;
use leptos::prelude::*;
use leptos_router::{
    components::Outlet,
    hooks::{use_location, use_params_map, use_query_map},
};

use super::failure_toasts::FailureToasts;
use crate::{
    components::{ErrorPanel, Loading},
    session::{error_message, open_session, SessionView},
};

/// The sections of the add-on, in navigation order: (path below `/ui`, label).
pub const SECTIONS: &[(&str, &str)] = &[
    ("", "Overview"),
    ("/data", "Data"),
    ("/webhooks", "Webhooks"),
    ("/flows", "Flows"),
    ("/explorer", "Explorer"),
    ("/settings", "Settings"),
];

#[component]
pub fn AddonShell() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let session = Resource::new(
        move || {
            (
                params.read().get("addon").unwrap_or_default(),
                query.read().get("auth_token").unwrap_or_default(),
            )
        },
        |(addon, auth_token)| open_session(addon, auth_token),
    );
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(session) => {
                        let dark = session.theme == Theme::Dark;
                        provide_context(session.clone());
                        view! {
                            <div class=if dark { "dark" } else { "" } data-theme=if dark { "dark" } else { "light"}
                                 data-hydrated=move || hydrated.get().to_string()>
                                <div class="min-h-screen bg-[#f2f6f8] font-sans text-slate-800 dark:bg-[#1e2a33] dark:text-slate-100">
                                    <FailureToasts session=session.clone()/>
                                    <TopNav session=session/>
                                    <main class="mx-auto max-w-5xl p-4">
                                        <Outlet/>
                                    </main>
                                </div>
                            </div>
                        }
                        .into_any()
                    }
                    Err(error) => view! {
                        <div class="min-h-screen bg-[#f2f6f8] p-4 font-sans" data-hydrated=move || hydrated.get().to_string()>
                            <ErrorPanel title="This add-on page could not be opened" message=error_message(&error)/>
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TopNav(session: SessionView) -> impl IntoView {
    let location = use_location();
    let base = format!("/{}/ui", session.addon_key);
    let links = SECTIONS
        .iter()
        .map(|(path, label)| {
            let target = format!("{base}{path}");
            let href = {
                let target = target.clone();
                move || {
                    let search = location.search.get();
                    if search.is_empty() { target.clone() } else { format!("{target}?{search}") }
                }
            };
            let active = move || location.pathname.get().trim_end_matches('/') == target;
            view! {
                <a href=href data-nav=*label
                   class=move || if active() {
                       "border-b-2 border-[#03a9f4] px-3 py-3 text-sm font-semibold text-[#03a9f4]"
                   } else {
                       "border-b-2 border-transparent px-3 py-3 text-sm text-slate-600 hover:text-[#03a9f4] dark:text-slate-300"
                   }>
                    {*label}
                </a>
            }
        })
        .collect_view();
    view! {
        <header class="border-b border-slate-200 bg-white dark:border-slate-700 dark:bg-[#25343f]">
            <div class="mx-auto flex max-w-5xl items-center gap-4 px-4">
                <span class="py-3 text-base font-semibold text-slate-900 dark:text-white" data-testid="addon-name">{session.addon_name.clone()}</span>
                <nav class="flex gap-1">{links}</nav>
            </div>
        </header>
    }
}
