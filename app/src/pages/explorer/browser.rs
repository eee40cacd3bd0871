//! What the explorer needs from the browser: the execute endpoint (the same one any HTTP
//! client calls) and a clock for timing searches. Without the `hydrate` feature (server
//! rendering) these do nothing. Downloads and the clipboard are in [`crate::browser`].

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

#[cfg(feature = "hydrate")]
mod imp {
    use addon_core::explorer::model::SESSION_HEADER;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{js_sys, Request, RequestInit, Response};

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
}
