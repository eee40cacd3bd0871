//! What pages need from the browser beyond rendering: saving a file and the clipboard.
//! Without the `hydrate` feature (server rendering) these do nothing.

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
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{js_sys, Blob, BlobPropertyBag, HtmlAnchorElement, Url};

    fn describe(error: JsValue) -> String {
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
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
    pub fn download(_filename: &str, _mime: &str, _text: &str) -> Result<(), String> {
        Err("downloads happen in the browser".into())
    }

    pub async fn copy_text(_text: &str) -> bool {
        false
    }
}
