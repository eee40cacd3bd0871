//! The editor's state, shared by its parts through context: the definition being edited, the
//! text of each action's JSON body and headers (which may be half-typed and invalid), the
//! problems found as the admin types, and the look of inputs and buttons.

use addon_core::{
    flows::{
        model::{Action, FlowDefinition},
        validate::{validate, Capabilities, Problem},
    },
    profile::{find_profile, API_STUDIO},
};
use leptos::prelude::*;

use super::server::FlowCatalog;

pub const INPUT: &str = "rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 \
                         focus:border-[#03a9f4] focus:outline-none \
                         aria-[invalid=true]:border-red-500 aria-[invalid=true]:ring-1 aria-[invalid=true]:ring-red-500 \
                         disabled:bg-slate-100 disabled:text-slate-500 \
                         dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:disabled:bg-slate-800";
pub const LABEL: &str = "flex flex-col gap-0.5 text-xs font-medium text-slate-600 dark:text-slate-300";
pub const HINT: &str = "text-xs font-normal text-slate-500 dark:text-slate-400";
pub const PRIMARY: &str = "rounded bg-[#03a9f4] px-3 py-1.5 text-sm font-semibold text-white hover:bg-[#0288d1] \
                           disabled:cursor-not-allowed disabled:opacity-50";
pub const SECONDARY: &str =
    "rounded border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100 \
                             disabled:cursor-not-allowed disabled:opacity-50 \
                             dark:border-slate-600 dark:bg-transparent dark:text-slate-200 dark:hover:bg-slate-700";
pub const SMALL: &str = "rounded border border-slate-300 px-1.5 py-0.5 text-xs text-slate-600 hover:bg-slate-100 \
                         disabled:cursor-not-allowed disabled:opacity-40 \
                         dark:border-slate-600 dark:text-slate-300 dark:hover:bg-slate-700";
pub const DANGER: &str = "rounded border border-red-300 px-1.5 py-0.5 text-xs text-red-700 hover:bg-red-50 \
                          disabled:cursor-not-allowed disabled:opacity-40 \
                          dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950";
pub const ERROR_TEXT: &str = "text-xs text-red-600 dark:text-red-400";

/// What the editor keeps for one action besides its definition: texts that may not parse yet.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionSlot {
    /// Stable across moves, so each row keeps its own text and search.
    pub uid: u64,
    /// A Clockify action's JSON body, or an HTTP action's body template, as typed.
    pub body_text: String,
    /// Why `body_text` is not JSON (Clockify actions).
    pub body_error: Option<String>,
    /// An HTTP action's headers, one `Name: value` per line, as typed.
    pub headers_text: String,
    pub headers_error: Option<String>,
}

/// The editor's shared state.
#[derive(Clone, Copy)]
pub struct EditorState {
    pub draft: RwSignal<FlowDefinition>,
    pub slots: RwSignal<Vec<ActionSlot>>,
    next_uid: StoredValue<u64>,
    pub catalog: StoredValue<FlowCatalog>,
    pub workspace_id: StoredValue<String>,
    addon_key: StoredValue<String>,
    /// Flows are off: nothing can be changed.
    pub read_only: bool,
    /// `validate` plus the body and header texts that do not parse, recomputed on every edit.
    pub problems: Memo<Vec<Problem>>,
    /// What the server said on the last save or publish (cleared by the next edit).
    pub server_problems: RwSignal<Vec<Problem>>,
    /// Problems show at their fields once the admin edited something (a new flow does not
    /// start covered in red) or tried to save; a stored flow shows them at once.
    pub touched: RwSignal<bool>,
}

impl EditorState {
    pub fn new(
        catalog: FlowCatalog,
        addon_key: String,
        workspace_id: String,
        def: FlowDefinition,
        touched: bool,
    ) -> EditorState {
        let read_only = catalog.read_only.is_some();
        let catalog = StoredValue::new(catalog);
        let addon = StoredValue::new(addon_key);
        let draft = RwSignal::new(FlowDefinition::default());
        let slots = RwSignal::new(Vec::<ActionSlot>::new());
        let problems = Memo::new(move |_| {
            let mut problems = draft.with(|def| {
                catalog.with_value(|catalog| addon.with_value(|addon| validate(def, &capabilities(addon, catalog))))
            });
            slots.with(|slots| {
                for (index, slot) in slots.iter().enumerate() {
                    if let Some(error) = &slot.body_error {
                        problems.push(Problem::new(format!("actions[{index}].body"), error.clone()));
                    }
                    if let Some(error) = &slot.headers_error {
                        problems.push(Problem::new(format!("actions[{index}].headers"), error.clone()));
                    }
                }
            });
            problems
        });
        let state = EditorState {
            draft,
            slots,
            next_uid: StoredValue::new(0),
            catalog,
            workspace_id: StoredValue::new(workspace_id),
            addon_key: addon,
            read_only,
            problems,
            server_problems: RwSignal::new(Vec::new()),
            touched: RwSignal::new(touched),
        };
        state.reset(def);
        state
    }

    /// The workspace's capabilities, as the server computes them.
    pub fn with_capabilities<T>(&self, f: impl FnOnce(&Capabilities<'static>) -> T) -> T {
        self.catalog
            .with_value(|catalog| self.addon_key.with_value(|addon| f(&capabilities(addon, catalog))))
    }

    /// Replaces everything being edited (load, import, restore).
    pub fn reset(&self, def: FlowDefinition) {
        let slots = def.actions.iter().map(|action| self.slot_for(action)).collect();
        self.slots.set(slots);
        self.draft.set(def);
    }

    fn slot_for(&self, action: &Action) -> ActionSlot {
        let uid = self.next_uid.get_value();
        self.next_uid.set_value(uid + 1);
        let (body_text, headers_text) = match action {
            Action::Clockify { body, .. } => (
                body.as_ref()
                    .filter(|body| !body.is_null())
                    .and_then(|body| serde_json::to_string_pretty(body).ok())
                    .unwrap_or_default(),
                String::new(),
            ),
            Action::Http { body, headers, .. } => (
                body.clone().unwrap_or_default(),
                headers
                    .iter()
                    .map(|(name, value)| format!("{name}: {value}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        };
        ActionSlot {
            uid,
            body_text,
            body_error: None,
            headers_text,
            headers_error: None,
        }
    }

    /// Appends an action.
    pub fn add_action(&self, action: Action) {
        let slot = self.slot_for(&action);
        self.slots.update(|slots| slots.push(slot));
        self.draft.update(|def| def.actions.push(action));
    }

    /// Replaces the action at `index` (a new operation, a new kind) and resets its texts.
    pub fn replace_action(&self, index: usize, action: Action) {
        let mut slot = self.slot_for(&action);
        self.slots.update(|slots| {
            if let Some(existing) = slots.get_mut(index) {
                slot.uid = existing.uid;
                *existing = slot;
            }
        });
        self.draft.update(|def| {
            if let Some(existing) = def.actions.get_mut(index) {
                *existing = action;
            }
        });
    }

    pub fn remove_action(&self, index: usize) {
        self.slots.update(|slots| {
            if index < slots.len() {
                slots.remove(index);
            }
        });
        self.draft.update(|def| {
            if index < def.actions.len() {
                def.actions.remove(index);
            }
        });
    }

    /// Swaps the action at `index` with its neighbour above (`up`) or below.
    pub fn move_action(&self, index: usize, up: bool) {
        let other = if up { index.checked_sub(1) } else { Some(index + 1) };
        let Some(other) = other else {
            return;
        };
        let len = self.slots.with_untracked(Vec::len);
        if index >= len || other >= len {
            return;
        }
        self.slots.update(|slots| slots.swap(index, other));
        self.draft.update(|def| {
            if index < def.actions.len() && other < def.actions.len() {
                def.actions.swap(index, other);
            }
        });
    }

    /// The position of the action whose slot is `uid`.
    pub fn index_of(&self, uid: u64) -> Option<usize> {
        self.slots.with(|slots| slots.iter().position(|slot| slot.uid == uid))
    }

    /// A step id no other action uses: `step1`, `step2`, ...
    pub fn fresh_step_id(&self) -> String {
        self.draft.with_untracked(|def| {
            (1..)
                .map(|number| format!("step{number}"))
                .find(|candidate| def.actions.iter().all(|action| action.id() != candidate))
                .unwrap_or_else(|| "step".to_string())
        })
    }

    /// Messages of the problems at `field` or below it (`actions[0].body` also shows
    /// `actions[0].body.name`), the server's included.
    pub fn problems_at(&self, field: &str) -> Vec<String> {
        let matches = |problem: &Problem| {
            problem.field == field
                || problem
                    .field
                    .strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        };
        let mut messages: Vec<String> = if self.touched.get() {
            self.problems.with(|problems| {
                problems
                    .iter()
                    .filter(|p| matches(p))
                    .map(|p| p.message.clone())
                    .collect()
            })
        } else {
            Vec::new()
        };
        self.server_problems.with(|problems| {
            for problem in problems.iter().filter(|p| matches(p)) {
                if !messages.contains(&problem.message) {
                    messages.push(problem.message.clone());
                }
            }
        });
        messages
    }

    /// Messages of the problems at exactly `field`.
    pub fn problems_exactly(&self, field: &str) -> Vec<String> {
        let mut messages: Vec<String> = if self.touched.get() {
            self.problems.with(|problems| {
                problems
                    .iter()
                    .filter(|p| p.field == field)
                    .map(|p| p.message.clone())
                    .collect()
            })
        } else {
            Vec::new()
        };
        self.server_problems.with(|problems| {
            for problem in problems.iter().filter(|p| p.field == field) {
                if !messages.contains(&problem.message) {
                    messages.push(problem.message.clone());
                }
            }
        });
        messages
    }
}

/// The capabilities the catalog describes (the server computes the same from the settings).
pub fn capabilities(addon_key: &str, catalog: &FlowCatalog) -> Capabilities<'static> {
    Capabilities {
        profile: find_profile(addon_key).unwrap_or(&API_STUDIO),
        generic_http: catalog.generic_http,
        source_ids: catalog.sources.iter().map(|source| source.id.clone()).collect(),
    }
}

/// A problem's field as people read it: `conditions.groups[0].rules[1].path` → "Group 1, rule
/// 2: path"; `actions[0].params.projectId` → "Step 1: params.projectId".
pub fn describe_field(field: &str) -> String {
    fn number(text: &str, prefix: &str) -> Option<(usize, String)> {
        let rest = text.strip_prefix(prefix)?;
        let (digits, rest) = rest.split_once(']')?;
        let index: usize = digits.parse().ok()?;
        Some((index + 1, rest.trim_start_matches('.').to_string()))
    }
    let with_rest = |label: String, rest: String| {
        if rest.is_empty() {
            label
        } else {
            format!("{label}: {rest}")
        }
    };
    if let Some((group, rest)) = number(field, "conditions.groups[") {
        return match number(&rest, "rules[") {
            Some((rule, rest)) => with_rest(format!("Group {group}, rule {rule}"), rest),
            None => with_rest(format!("Group {group}"), rest),
        };
    }
    if let Some((step, rest)) = number(field, "actions[") {
        return with_rest(format!("Step {step}"), rest);
    }
    if field.starts_with("trigger") {
        return "Trigger".to_string();
    }
    let mut chars = field.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Flow".to_string(),
    }
}

/// The problems of a field under it, in red; `test_id` names the element for tests.
#[component]
pub fn FieldProblems(#[prop(into)] messages: Signal<Vec<String>>, #[prop(into)] test_id: String) -> impl IntoView {
    view! {
        <Show when=move || messages.with(|messages| !messages.is_empty())>
            <ul class="mt-0.5 flex flex-col gap-0.5" data-testid=test_id.clone() role="alert">
                {move || messages.get().into_iter().map(|message| view! { <li class=ERROR_TEXT>{message}</li> }).collect_view()}
            </ul>
        </Show>
    }
}

/// The `aria-invalid` value for a field with these problems.
pub fn invalid(messages: &[String]) -> &'static str {
    if messages.is_empty() {
        "false"
    } else {
        "true"
    }
}

#[cfg(test)]
mod tests {
    use super::describe_field;

    #[test]
    fn fields_read_as_places_in_the_form() {
        assert_eq!(
            describe_field("conditions.groups[0].rules[1].path"),
            "Group 1, rule 2: path"
        );
        assert_eq!(describe_field("conditions.groups[2]"), "Group 3");
        assert_eq!(
            describe_field("actions[0].params.projectId"),
            "Step 1: params.projectId"
        );
        assert_eq!(describe_field("actions[3]"), "Step 4");
        assert_eq!(describe_field("trigger.eventTypes[0]"), "Trigger");
        assert_eq!(describe_field("name"), "Name");
        assert_eq!(describe_field(""), "Flow");
    }
}
