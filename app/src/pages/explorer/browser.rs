//! What the explorer needs from the browser: the execute endpoint (the same one any HTTP
//! client calls), a clock for timing searches, file downloads and the clipboard. Without the
//! `hydrate` feature (server rendering) these do nothing.

use addon_core::explorer::model::{execute_path, ApiError, ExecuteRequest, ExecuteResult};

/// Runs one call through `POST /{addon}/explorer/execute` with the page's session.
pub async fn execute(addon: &str, session: &str, request: &ExecuteRequest) -> Result<ExecuteResult, ApiError> {
    let body = serde_json::to_string(request).map_err(|error| ApiError::new("bad_request", error.to_string()))?;
    let (status, text) = imp::post_json(&execute_path(addon), session, body)
        .await
        .map_err(|message| ApiError::new("network", format!("the add-on server could not be reached: {message}")))?;
    if (200..300).contains(&status) {
        serde_json::from_str(&text).map_err(|error| {
            ApiError::new(
                "bad_answer",
                format!("the add-on server's answer is unreadable: {error}"),
            )
        })
    } else {
        Err(serde_json::from_str(&text)
            .unwrap_or_else(|_| ApiError::new("http_error", format!("the add-on server answered {status}"))))
    }
}

/// Milliseconds since the page's time origin (`performance.now()`); 0 on the server.
pub fn now_ms() -> f64 {
    imp::now_ms()
}

/// Keeps a search's duration where the end-to-end benchmark reads it
/// (`window.__explorerSearchTimes`).
pub fn record_search_time(milliseconds: f64) {
    imp::record_search_time(milliseconds);
}

/// Saves `text` as a file through a Blob link.
pub fn download(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    imp::download(filename, mime, text)
}

/// Copies `text` to the clipboard; false when the browser refused (a cross-origin frame
/// without the clipboard permission).
pub async fn copy_text(text: &str) -> bool {
    imp::copy_text(text).await
}

#[cfg(feature = "hydrate")]
mod imp {
    use addon_core::explorer::model::SESSION_HEADER;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{js_sys, Blob, BlobPropertyBag, HtmlAnchorElement, Request, RequestInit, Response, Url};

    fn describe(error: JsValue) -> String {
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
    }

    pub async fn post_json(url: &str, session: &str, body: String) -> Result<(u16, String), String> {
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&body));
        let request = Request::new_with_str_and_init(url, &init).map_err(describe)?;
        let headers = request.headers();
        headers.set("Content-Type", "application/json").map_err(describe)?;
        headers.set(SESSION_HEADER, session).map_err(describe)?;
        let window = web_sys::window().ok_or("no window")?;
        let response: Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(describe)?
            .dyn_into()
            .map_err(describe)?;
        let status = response.status();
        let text = JsFuture::from(response.text().map_err(describe)?)
            .await
            .map_err(describe)?
            .as_string()
            .unwrap_or_default();
        Ok((status, text))
    }

    pub fn now_ms() -> f64 {
        web_sys::window()
            .and_then(|window| window.performance())
            .map_or(0.0, |performance| performance.now())
    }

    pub fn record_search_time(milliseconds: f64) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let key = JsValue::from_str("__explorerSearchTimes");
        let times = js_sys::Reflect::get(&window, &key)
            .ok()
            .and_then(|value| value.dyn_into::<js_sys::Array>().ok())
            .unwrap_or_else(|| {
                let times = js_sys::Array::new();
                let _ = js_sys::Reflect::set(&window, &key, &times);
                times
            });
        times.push(&JsValue::from_f64(milliseconds));
    }

    pub fn download(filename: &str, mime: &str, text: &str) -> Result<(), String> {
        let parts = js_sys::Array::of1(&JsValue::from_str(text));
        let options = BlobPropertyBag::new();
        options.set_type(mime);
        let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
        let url = Url::create_object_url_with_blob(&blob).map_err(describe)?;
        let document = web_sys::window()
            .and_then(|window| window.document())
            .ok_or("no document")?;
        let anchor: HtmlAnchorElement = document
            .create_element("a")
            .map_err(describe)?
            .dyn_into()
            .map_err(|_| "not an anchor".to_string())?;
        anchor.set_href(&url);
        anchor.set_download(filename);
        let body = document.body().ok_or("no body")?;
        body.append_child(&anchor).map_err(describe)?;
        anchor.click();
        anchor.remove();
        // Revoking at once can cancel the download in some browsers.
        leptos::prelude::set_timeout(
            move || {
                let _ = Url::revoke_object_url(&url);
            },
            std::time::Duration::from_secs(60),
        );
        Ok(())
    }

    /// Whether the frame may write to the clipboard: Clockify's iframe may not grant it, and
    /// trying anyway logs a permissions-policy error.
    fn clipboard_allowed(window: &web_sys::Window) -> bool {
        let Some(document) = window.document() else {
            return false;
        };
        for name in ["permissionsPolicy", "featurePolicy"] {
            let policy = js_sys::Reflect::get(&document, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
            if !policy.is_object() {
                continue;
            }
            let allows = js_sys::Reflect::get(&policy, &JsValue::from_str("allowsFeature"))
                .ok()
                .and_then(|function| function.dyn_into::<js_sys::Function>().ok());
            if let Some(allows) = allows {
                return allows
                    .call1(&policy, &JsValue::from_str("clipboard-write"))
                    .is_ok_and(|allowed| allowed.is_truthy());
            }
        }
        true
    }

    pub async fn copy_text(text: &str) -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        if !clipboard_allowed(&window) {
            return false;
        }
        JsFuture::from(window.navigator().clipboard().write_text(text))
            .await
            .is_ok()
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    pub async fn post_json(_url: &str, _session: &str, _body: String) -> Result<(u16, String), String> {
        Err("only the browser calls the explorer endpoint".into())
    }

    pub fn now_ms() -> f64 {
        0.0
    }

    pub fn record_search_time(_milliseconds: f64) {}

    pub fn download(_filename: &str, _mime: &str, _text: &str) -> Result<(), String> {
        Err("downloads happen in the browser".into())
    }

    pub async fn copy_text(_text: &str) -> bool {
        false
    }
}
