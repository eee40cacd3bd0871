//! The Sources tab (Universal Webhook): each custom source with its ingest URL, scheme, status
//! and counts; "New source"; "Rotate secret" with a grace period; "Disable"/"Enable". A new
//! secret is shown once, with a working curl example, and afterwards only as a hint. "Send test
//! event" has the server post a signed example to the source's URL and shows the answer.

use leptos::prelude::*;

use super::server::{
    create_source, load_sources, rotate_source_secret, send_test_event, set_source_enabled, FieldError, RevealedSecret,
    SecretOutcome, SourceForm, SourceView, SourcesView, TestDelivery,
};
use crate::{
    components::{thousands, Card, CopyField},
    session::{error_message, SessionView},
};

const INPUT: &str = "rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 \
                     aria-[invalid=true]:border-red-500 aria-[invalid=true]:ring-1 aria-[invalid=true]:ring-red-500 \
                     dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";
const LABEL: &str = "flex flex-col gap-0.5 text-xs font-medium text-slate-600 dark:text-slate-300";
const HINT: &str = "text-xs font-normal text-slate-500 dark:text-slate-400";
const PRIMARY: &str =
    "rounded bg-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-white hover:bg-[#0288d1] disabled:opacity-50";
const SECONDARY: &str = "rounded border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100 \
                         disabled:opacity-50 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-700";

#[component]
pub fn SourcesTab() -> impl IntoView {
    let session = expect_context::<SessionView>();
    let version = RwSignal::new(0u32);
    let token = session.token.clone();
    let sources = Resource::new(move || (token.clone(), version.get()), |(token, _)| load_sources(token));
    // State that must survive a reload of the list.
    let revealed = RwSignal::new(None::<RevealedSecret>);
    let show_form = RwSignal::new(false);
    let form = RwSignal::new(SourceForm::default());
    let rotating = RwSignal::new(None::<String>);
    let grace = RwSignal::new("24".to_string());
    let rotate_error = RwSignal::new(None::<String>);
    let list_error = RwSignal::new(None::<String>);
    let enabled = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        if let Some(Ok(view)) = sources.get() {
            enabled.set(Some(view.enabled));
        }
    });

    let token = session.token.clone();
    let toggle = Action::new(move |(id, on): &(String, bool)| {
        let (token, id, on) = (token.clone(), id.clone(), *on);
        async move {
            match set_source_enabled(token, id, on).await {
                Ok(()) => list_error.set(None),
                Err(error) => list_error.set(Some(error_message(&error))),
            }
            version.update(|version| *version += 1);
        }
    });
    let token = session.token.clone();
    let rotate = Action::new(move |(id, hours): &(String, String)| {
        let (token, id, hours) = (token.clone(), id.clone(), hours.clone());
        async move {
            match rotate_source_secret(token, id, hours).await {
                Ok(SecretOutcome::Revealed(secret)) => {
                    revealed.set(Some(secret));
                    rotating.set(None);
                    rotate_error.set(None);
                    version.update(|version| *version += 1);
                }
                Ok(SecretOutcome::Invalid(error)) => rotate_error.set(Some(error.message)),
                Err(error) => rotate_error.set(Some(error_message(&error))),
            }
        }
    });

    // The last test delivery's answer, per source: (source id, outcome).
    let tested = RwSignal::new(None::<(String, Result<TestDelivery, String>)>);
    let token = session.token.clone();
    let send_test = Action::new(move |id: &String| {
        let (token, id) = (token.clone(), id.clone());
        async move {
            let outcome = send_test_event(token, id.clone())
                .await
                .map_err(|error| error_message(&error));
            tested.set(Some((id, outcome)));
            version.update(|version| *version += 1);
        }
    });

    let actions = SourceActions {
        toggle,
        rotate,
        rotating,
        grace,
        rotate_error,
        send_test,
        tested,
    };
    view! {
        <div class="flex flex-col gap-4">
            {move || revealed.get().map(|secret| view! { <RevealPanel secret revealed/> })}
            <Card title="Custom sources">
                <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">
                    "Any system that sends webhooks can post events to a source's URL. Each request is verified with the source's scheme; accepted events land in the log and go to your flows."
                </p>
                {move || list_error.get().map(|message| view! {
                    <p role="alert" class="mb-3 text-sm text-red-600 dark:text-red-400" data-testid="sources-error">{message}</p>
                })}
                <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match sources.await {
                            Ok(view_data) => view! { <SourceList data=view_data actions/> }.into_any(),
                            Err(error) => view! {
                                <p role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="sources-error">{error_message(&error)}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
                <Show when=move || enabled.get() == Some(true) && !show_form.get()>
                    <button type="button" class=format!("mt-4 {PRIMARY}") data-testid="new-source"
                            on:click=move |_| { show_form.set(true); revealed.set(None); }>
                        "New source"
                    </button>
                </Show>
            </Card>
            <Show when=move || enabled.get() == Some(true) && show_form.get()>
                <NewSourceForm form show_form revealed version/>
            </Show>
        </div>
    }
}

/// What each listed source's buttons do.
#[derive(Clone, Copy)]
struct SourceActions {
    toggle: Action<(String, bool), ()>,
    rotate: Action<(String, String), ()>,
    rotating: RwSignal<Option<String>>,
    grace: RwSignal<String>,
    rotate_error: RwSignal<Option<String>>,
    send_test: Action<String, ()>,
    tested: RwSignal<Option<(String, Result<TestDelivery, String>)>>,
}

#[component]
fn SourceList(data: SourcesView, actions: SourceActions) -> impl IntoView {
    let off = (!data.enabled).then(|| {
        view! {
            <div role="note" data-testid="sources-disabled"
                 class="mb-3 rounded border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
                "Custom sources are turned off in this workspace's settings (Settings → Webhooks → Custom webhook sources). Their URLs answer 410 Gone and no new source can be created until the setting is on again."
            </div>
        }
    });
    let empty = data.sources.is_empty().then(|| {
        view! { <p class="text-sm text-slate-500 dark:text-slate-400" data-testid="sources-empty">"No sources yet."</p> }
    });
    let setting_on = data.enabled;
    let items = data
        .sources
        .into_iter()
        .map(|source| view! { <SourceItem source actions setting_on/> })
        .collect_view();
    view! {
        {off}
        {empty}
        <ul class="flex flex-col gap-3" data-testid="source-list">{items}</ul>
    }
}

#[component]
fn SourceItem(source: SourceView, actions: SourceActions, setting_on: bool) -> impl IntoView {
    let SourceActions {
        toggle,
        rotate,
        rotating,
        grace,
        rotate_error,
        send_test,
        tested,
    } = actions;
    let id = source.id.clone();
    let test_id = id.clone();
    let result_id = id.clone();
    let test_result = move || {
        tested.get().filter(|(source, _)| *source == result_id).map(|(_, outcome)| {
            let (class, taken, text) = match outcome {
                Ok(delivery) => (
                    if delivery.taken {
                        "text-emerald-700 dark:text-emerald-300"
                    } else {
                        "text-red-600 dark:text-red-400"
                    },
                    delivery.taken,
                    delivery.message,
                ),
                Err(message) => ("text-red-600 dark:text-red-400", false, message),
            };
            view! {
                <p role="status" class=format!("mt-2 text-sm {class}") data-testid="test-event-result" data-taken=taken.to_string()>{text}</p>
            }
        })
    };
    let is_rotating = {
        let id = id.clone();
        move || rotating.with(|rotating| rotating.as_deref() == Some(id.as_str()))
    };
    let badge = if source.enabled {
        (
            "enabled",
            "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100",
        )
    } else {
        (
            "disabled",
            "bg-slate-200 text-slate-700 dark:bg-slate-600 dark:text-slate-100",
        )
    };
    let toggle_label = if source.enabled { "Disable" } else { "Enable" };
    let toggle_to = !source.enabled;
    let toggle_disabled = toggle_to && !setting_on;
    let can_rotate = source.scheme_kind != "none" && source.scheme_kind != "invalid" && setting_on;
    let previous = source.previous_until.clone().map(|until| {
        view! { <p class="text-xs text-amber-700 dark:text-amber-300" data-testid="source-previous-until">{format!("The previous secret still works until {until}.")}</p> }
    });
    let toggle_id = id.clone();
    let rotate_open_id = id.clone();
    let rotate_id = id.clone();
    let rotate_form = move || {
        is_rotating().then(|| {
            let rotate_id = rotate_id.clone();
            view! {
                <div class="mt-2 flex flex-wrap items-end gap-3 rounded bg-slate-50 p-3 dark:bg-slate-900" data-testid="rotate-form">
                    <label class=LABEL>
                        "Grace period (hours)"
                        <input type="number" min="0" max="720" class=format!("w-28 {INPUT}") data-testid="rotate-grace"
                               prop:value=move || grace.get() on:input=move |event| grace.set(event_target_value(&event))/>
                        <span class=HINT>"The old secret keeps working this long (0: stops now)."</span>
                    </label>
                    <button type="button" class=PRIMARY data-testid="rotate-confirm" disabled=move || rotate.pending().get()
                            on:click=move |_| { rotate.dispatch((rotate_id.clone(), grace.get_untracked())); }>
                        "Rotate now"
                    </button>
                    <button type="button" class=SECONDARY data-testid="rotate-cancel"
                            on:click=move |_| { rotating.set(None); rotate_error.set(None); }>
                        "Cancel"
                    </button>
                    {move || rotate_error.get().map(|message| view! {
                        <p role="alert" class="w-full text-sm text-red-600 dark:text-red-400" data-testid="rotate-error">{message}</p>
                    })}
                </div>
            }
        })
    };
    view! {
        <li class="rounded border border-slate-200 p-4 dark:border-slate-600" data-testid="source" data-source-id=id.clone()
            data-name=source.name.clone() data-enabled=source.enabled.to_string()>
            <div class="mb-2 flex flex-wrap items-center justify-between gap-2">
                <h3 class="text-base font-semibold text-slate-900 dark:text-white" data-testid="source-name">{source.name.clone()}</h3>
                <span class=format!("rounded-full px-2 py-0.5 text-xs font-semibold {}", badge.1) data-testid="source-status">{badge.0}</span>
            </div>
            <dl class="mb-3 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
                <dt class="text-xs text-slate-500 dark:text-slate-400">"Verification"</dt>
                <dd data-testid="source-scheme" data-kind=source.scheme_kind.clone()>{source.scheme.clone()}</dd>
                <dt class="text-xs text-slate-500 dark:text-slate-400">"Secret"</dt>
                <dd class="font-mono text-xs" data-testid="source-secret-hint">{source.secret_hint.clone()}</dd>
                <dt class="text-xs text-slate-500 dark:text-slate-400">"Event type from"</dt>
                <dd class="font-mono text-xs">{source.event_type_from.clone()}</dd>
                <dt class="text-xs text-slate-500 dark:text-slate-400">"Dedupe key from"</dt>
                <dd class="font-mono text-xs">{source.dedupe_from.clone()}</dd>
                <dt class="text-xs text-slate-500 dark:text-slate-400">"Created"</dt>
                <dd class="text-xs">{source.created.clone()}</dd>
            </dl>
            <div class="mb-2">
                <CopyField value=source.ingest_url.clone() label="Ingest URL" test_id="source-url"/>
            </div>
            {previous}
            <p class="mb-3 flex flex-wrap gap-x-3 text-xs" data-testid="source-counts-line"
               data-accepted=source.accepted.to_string() data-duplicate=source.duplicate.to_string() data-rejected=source.rejected.to_string()>
                <span class="text-emerald-700 dark:text-emerald-300" data-testid="source-accepted">{format!("{} accepted", thousands(source.accepted))}</span>
                <span class="text-amber-700 dark:text-amber-300" data-testid="source-duplicate">{format!("{} duplicate", thousands(source.duplicate))}</span>
                <span class="text-red-700 dark:text-red-300" data-testid="source-rejected">{format!("{} rejected", thousands(source.rejected))}</span>
            </p>
            <div class="flex flex-wrap gap-2">
                <Show when=move || can_rotate>
                    <button type="button" class=SECONDARY data-testid="rotate-secret"
                            on:click={
                                let id = rotate_open_id.clone();
                                move |_| { rotate_error.set(None); grace.set("24".into()); rotating.set(Some(id.clone())); }
                            }>
                        "Rotate secret"
                    </button>
                </Show>
                <button type="button" class=SECONDARY data-testid="toggle-source" disabled=move || toggle_disabled || toggle.pending().get()
                        on:click=move |_| { toggle.dispatch((toggle_id.clone(), toggle_to)); }>
                    {toggle_label}
                </button>
                <button type="button" class=SECONDARY data-testid="send-test-event" disabled=move || send_test.pending().get()
                        title="This server posts a signed example event to the source's URL, as the sending system would, and shows the answer."
                        on:click=move |_| { send_test.dispatch(test_id.clone()); }>
                    {move || if send_test.pending().get() { "Sending…" } else { "Send test event" }}
                </button>
            </div>
            {test_result}
            {rotate_form}
        </li>
    }
}

/// The secret shown once (after "create" or "rotate"), its URL and an example request.
#[component]
fn RevealPanel(secret: RevealedSecret, revealed: RwSignal<Option<RevealedSecret>>) -> impl IntoView {
    let heading = if secret.action == "rotated" {
        format!("New secret for “{}”", secret.source_name)
    } else {
        format!("Source “{}” created", secret.source_name)
    };
    let secret_field = match secret.secret.clone() {
        Some(value) => view! {
            <p class="text-sm font-semibold">"Copy the secret now: it is shown only this once."</p>
            <CopyField value label="Secret" test_id="revealed-secret"/>
        }
        .into_any(),
        None => view! {
            <p class="text-sm" data-testid="revealed-no-secret">"This source has no secret: anyone with the URL can post events."</p>
        }
        .into_any(),
    };
    let previous = secret.previous_until.clone().map(|until| {
        view! { <p class="text-sm" data-testid="revealed-previous-until">{format!("The previous secret keeps working until {until}.")}</p> }
    });
    let note = (!secret.curl_note.is_empty()).then(|| view! { <p class=HINT>{secret.curl_note.clone()}</p> });
    view! {
        <section role="status" data-testid="revealed" data-action=secret.action.clone() data-source-id=secret.source_id.clone()
                 class="flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-5 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-50">
            <h2 class="text-base font-semibold">{heading}</h2>
            {secret_field}
            {previous}
            <p class="mt-2 text-sm font-semibold">"Ingest URL"</p>
            <CopyField value=secret.ingest_url.clone() label="Ingest URL" test_id="revealed-url"/>
            <p class="mt-2 text-sm font-semibold">"Try it"</p>
            <CopyField value=secret.curl.clone() label="Example request" test_id="revealed-curl" multiline=true/>
            {note}
            <div>
                <button type="button" class=format!("mt-2 {SECONDARY}") data-testid="revealed-done" on:click=move |_| revealed.set(None)>
                    "I have copied it"
                </button>
            </div>
        </section>
    }
}

/// The "New source" form. Its state lives in the tab, so reloading the list keeps it.
#[component]
fn NewSourceForm(
    form: RwSignal<SourceForm>,
    show_form: RwSignal<bool>,
    revealed: RwSignal<Option<RevealedSecret>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let session = expect_context::<SessionView>();
    let field_error = RwSignal::new(None::<FieldError>);
    let token = session.token.clone();
    let create = Action::new(move |submitted: &SourceForm| {
        let (token, submitted) = (token.clone(), submitted.clone());
        async move {
            match create_source(token, submitted).await {
                Ok(SecretOutcome::Revealed(secret)) => {
                    field_error.set(None);
                    revealed.set(Some(secret));
                    form.set(SourceForm::default());
                    show_form.set(false);
                    version.update(|version| *version += 1);
                }
                Ok(SecretOutcome::Invalid(error)) => field_error.set(Some(error)),
                Err(error) => field_error.set(Some(FieldError {
                    field: String::new(),
                    message: error_message(&error),
                })),
            }
        }
    });
    // Sections re-render only when their selector changes, not on every keystroke.
    let scheme = Memo::new(move |_| form.with(|form| form.scheme.clone()));
    let event_from = Memo::new(move |_| form.with(|form| form.event_type_from.clone()));
    let dedupe_from = Memo::new(move |_| form.with(|form| form.dedupe_from.clone()));
    let invalid = move |field: &'static str| {
        move || {
            field_error
                .with(|error| error.as_ref().is_some_and(|error| error.field == field))
                .to_string()
        }
    };

    let text = move |field: &'static str,
                     label: &'static str,
                     hint: &'static str,
                     get: fn(&SourceForm) -> String,
                     set: fn(&mut SourceForm, String)| {
        let hint = (!hint.is_empty()).then(|| view! { <span class=HINT>{hint}</span> });
        view! {
            <label class=LABEL>
                {label}
                <input type="text" class=INPUT data-testid=format!("form-{field}") name=field aria-invalid=invalid(field)
                       prop:value=move || form.with(get)
                       on:input=move |event| form.update(|form| set(form, event_target_value(&event)))/>
                {hint}
            </label>
        }
    };

    let scheme_fields = move || {
        match scheme.get().as_str() {
        "standard_webhooks" => view! {
            <div class="grid gap-3 sm:grid-cols-2">
                {text("tolerance_seconds", "Timestamp tolerance (seconds)", "Requests signed longer ago (or ahead) than this are rejected; 300 is the standard.",
                      |f| f.tolerance_seconds.clone(), |f, v| f.tolerance_seconds = v)}
                <p class=format!("{HINT} self-center")>"Senders sign with headers webhook-id, webhook-timestamp and webhook-signature (v1,…); the secret starts with whsec_."</p>
            </div>
        }
        .into_any(),
        "hmac" => view! {
            <div class="grid gap-3 sm:grid-cols-2">
                {text("hmac_header", "Signature header", "e.g. x-hub-signature-256", |f| f.hmac_header.clone(), |f, v| f.hmac_header = v)}
                {text("hmac_prefix", "Signature prefix (optional)", "Text before the signature, e.g. sha256=", |f| f.hmac_prefix.clone(), |f, v| f.hmac_prefix = v)}
                <label class=LABEL>
                    "Algorithm"
                    <select class=INPUT data-testid="form-hmac_algorithm" aria-invalid=invalid("hmac_algorithm")
                            on:change=move |event| form.update(|form| form.hmac_algorithm = event_target_value(&event))>
                        <option value="sha256" prop:selected=move || form.with(|f| f.hmac_algorithm == "sha256")>"SHA-256"</option>
                        <option value="sha1" prop:selected=move || form.with(|f| f.hmac_algorithm == "sha1")>"SHA-1"</option>
                        <option value="sha512" prop:selected=move || form.with(|f| f.hmac_algorithm == "sha512")>"SHA-512"</option>
                    </select>
                </label>
                <label class=LABEL>
                    "Encoding"
                    <select class=INPUT data-testid="form-hmac_encoding" aria-invalid=invalid("hmac_encoding")
                            on:change=move |event| form.update(|form| form.hmac_encoding = event_target_value(&event))>
                        <option value="hex" prop:selected=move || form.with(|f| f.hmac_encoding == "hex")>"Hex"</option>
                        <option value="base64" prop:selected=move || form.with(|f| f.hmac_encoding == "base64")>"Base64"</option>
                    </select>
                </label>
            </div>
        }
        .into_any(),
        "basic_auth" => view! {
            <div class="grid gap-3 sm:grid-cols-2">
                {text("basic_username", "Username", "The password is the generated secret.", |f| f.basic_username.clone(), |f, v| f.basic_username = v)}
            </div>
        }
        .into_any(),
        "api_key" => view! {
            <div class="grid gap-3 sm:grid-cols-2">
                {text("api_key_header", "API key header", "The header that carries the generated secret.", |f| f.api_key_header.clone(), |f, v| f.api_key_header = v)}
            </div>
        }
        .into_any(),
        "none" => view! {
            <label class="flex items-start gap-2 rounded border border-red-200 bg-red-50 p-3 text-sm text-red-900 has-[[aria-invalid=true]]:ring-2 has-[[aria-invalid=true]]:ring-red-500 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
                <input type="checkbox" class="mt-0.5" data-testid="form-confirm_unverified" aria-invalid=invalid("confirm_unverified")
                       prop:checked=move || form.with(|f| f.confirm_unverified)
                       on:change=move |event| form.update(|form| form.confirm_unverified = event_target_checked(&event))/>
                <span>"I understand anyone with the URL can post events: requests are not verified at all."</span>
            </label>
        }
        .into_any(),
        _ => ().into_any(),
    }
    };

    let event_value = move || {
        let (label, hint) = match event_from.get().as_str() {
            "header" => (
                "Event type header",
                "Headers are not covered by any scheme's signature: whoever can send a valid request chooses the type.",
            ),
            "fixed" => ("Event type name", "Every request of this source gets this type."),
            _ => (
                "Event type JSONPath",
                "Where the body holds the event type, e.g. $.type or $.data.event.",
            ),
        };
        text(
            "event_type_value",
            label,
            hint,
            |f| f.event_type_value.clone(),
            |f, v| f.event_type_value = v,
        )
    };
    let dedupe_value = move || match dedupe_from.get().as_str() {
        "header" => Some(text(
            "dedupe_value",
            "Dedupe key header",
            "e.g. idempotency-key",
            |f| f.dedupe_value.clone(),
            |f, v| f.dedupe_value = v,
        )),
        "jsonpath" => Some(text(
            "dedupe_value",
            "Dedupe key JSONPath",
            "e.g. $.id",
            |f| f.dedupe_value.clone(),
            |f, v| f.dedupe_value = v,
        )),
        _ => None,
    };
    let default_dedupe = move || {
        if scheme.get() == "standard_webhooks" {
            "Default (the webhook-id header)"
        } else {
            "Default (a hash of the body)"
        }
    };
    let error_message_view = move || {
        field_error.get().map(|error| {
            view! {
                <p role="alert" class="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
                   data-testid="form-error" data-field=error.field>
                    {error.message}
                </p>
            }
        })
    };

    view! {
        <Card title="New source">
            <form class="flex flex-col gap-4" data-testid="source-form" novalidate
                  on:submit=move |event| {
                      event.prevent_default();
                      create.dispatch(form.get_untracked());
                  }>
                <div class="grid gap-3 sm:grid-cols-2">
                    {text("name", "Name", "Shown in the log, e.g. Stripe or GitHub.", |f| f.name.clone(), |f, v| f.name = v)}
                    <label class=LABEL>
                        "Verification"
                        <select class=INPUT data-testid="form-scheme" aria-invalid=invalid("scheme")
                                on:change=move |event| form.update(|form| form.scheme = event_target_value(&event))>
                            <option value="standard_webhooks" prop:selected=move || scheme.get() == "standard_webhooks">"Standard Webhooks (recommended)"</option>
                            <option value="hmac" prop:selected=move || scheme.get() == "hmac">"HMAC signature of the body"</option>
                            <option value="basic_auth" prop:selected=move || scheme.get() == "basic_auth">"Basic authentication"</option>
                            <option value="api_key" prop:selected=move || scheme.get() == "api_key">"API key header"</option>
                            <option value="none" prop:selected=move || scheme.get() == "none">"None (not verified)"</option>
                        </select>
                        <span class=HINT>"How each request proves it comes from the sender."</span>
                    </label>
                </div>
                {scheme_fields}
                <div class="grid gap-3 sm:grid-cols-2">
                    <label class=LABEL>
                        "Event type from"
                        <select class=INPUT data-testid="form-event_type_from" aria-invalid=invalid("event_type_from")
                                on:change=move |event| {
                                    let from = event_target_value(&event);
                                    form.update(|form| {
                                        form.event_type_value = match from.as_str() {
                                            "jsonpath" => "$.type".into(),
                                            "header" => "x-event-type".into(),
                                            _ => String::new(),
                                        };
                                        form.event_type_from = from;
                                    });
                                }>
                            <option value="jsonpath" prop:selected=move || event_from.get() == "jsonpath">"A JSONPath in the body"</option>
                            <option value="header" prop:selected=move || event_from.get() == "header">"A header"</option>
                            <option value="fixed" prop:selected=move || event_from.get() == "fixed">"A fixed name"</option>
                        </select>
                    </label>
                    {event_value}
                </div>
                <div class="grid gap-3 sm:grid-cols-2">
                    <label class=LABEL>
                        "Dedupe key"
                        <select class=INPUT data-testid="form-dedupe_from" aria-invalid=invalid("dedupe_from")
                                on:change=move |event| {
                                    let from = event_target_value(&event);
                                    form.update(|form| {
                                        form.dedupe_value = match from.as_str() {
                                            "jsonpath" => "$.id".into(),
                                            "header" => "idempotency-key".into(),
                                            _ => String::new(),
                                        };
                                        form.dedupe_from = from;
                                    });
                                }>
                            <option value="default" prop:selected=move || dedupe_from.get() == "default">{default_dedupe}</option>
                            <option value="header" prop:selected=move || dedupe_from.get() == "header">"A header"</option>
                            <option value="jsonpath" prop:selected=move || dedupe_from.get() == "jsonpath">"A JSONPath in the body"</option>
                            <option value="body-hash" prop:selected=move || dedupe_from.get() == "body-hash">"A hash of the body"</option>
                        </select>
                        <span class=HINT>"A repeated key within the duplicate window is recorded as a duplicate and not processed."</span>
                    </label>
                    {dedupe_value}
                </div>
                {error_message_view}
                <div class="flex gap-2">
                    <button type="submit" class=PRIMARY data-testid="form-create" disabled=move || create.pending().get()>
                        "Create source"
                    </button>
                    <button type="button" class=SECONDARY data-testid="form-cancel"
                            on:click=move |_| { show_form.set(false); field_error.set(None); }>
                        "Cancel"
                    </button>
                </div>
            </form>
        </Card>
    }
}
