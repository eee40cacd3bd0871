//! The Leptos UI both add-ons share. Clockify loads `/{addon}/ui?auth_token=…` in its sidebar
//! iframe; the shell verifies the token through [`session::open_session`] and every page below
//! it works for that token's workspace only.
#![forbid(unsafe_code)]

pub mod browser;
pub mod components;
pub mod pages;
pub mod session;

#[cfg(feature = "ssr")]
pub mod backend;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::pages::{
    data::DataPage, explorer::ExplorerPage, flows::FlowsPage, not_found::NotFound, overview::OverviewPage,
    settings::SettingsPage, shell::AddonShell, webhooks::WebhooksPage,
};

/// The HTML document around the app (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="referrer" content="no-referrer"/>
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="m-0">
                <App/>
            </body>
        </html>
    }
}

/// Routes: every page lives under its add-on's prefix.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/clockify-addons.css"/>
        <Title text="Clockify add-on"/>
        <Router>
            <Routes fallback=NotFound>
                <ParentRoute path=path!("/:addon/ui") view=AddonShell>
                    <Route path=path!("") view=OverviewPage/>
                    <Route path=path!("data") view=DataPage/>
                    <Route path=path!("webhooks") view=WebhooksPage/>
                    <Route path=path!("flows") view=FlowsPage/>
                    <Route path=path!("explorer") view=ExplorerPage/>
                    <Route path=path!("settings") view=SettingsPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
