//! The API explorer over real HTTP against the simulator, on SQLite and Postgres: a GET runs
//! and returns the simulator's data; API Studio refuses a POST with 403 even when called
//! directly; Universal Webhook runs a POST only with the confirmation flag (and the tag then
//! exists in the simulator); fetch-all-pages returns exactly the simulator's count with no
//! 429; every call lands in the acting user's history.

use addon_core::{
    explorer::{
        model::{ExecuteRequest, ExecuteResult, SESSION_HEADER},
        prefill, FormValues, PageWalk,
    },
    openapi::ApiSpec,
};
use app::session::SessionView;
use serde_json::{json, Value};
use sim::WorkspaceSpec;

use crate::support::{Db, TestApp, TestSim};

const STUDIO: &str = "api-studio";
const UNIVERSAL: &str = "universal-webhook";

/// A simulator with both add-ons installed into a server on `db`.
struct Stack {
    sim: TestSim,
    app: TestApp,
    workspace: Value,
}

impl Stack {
    async fn start(db: Db) -> Option<Stack> {
        let sim = TestSim::start(WorkspaceSpec {
            users: 23,
            tags: 10,
            ..WorkspaceSpec::default()
        })
        .await;
        let key = sim.key();
        let app = TestApp::start_with(db, &[("CLOCKIFY_PUBLIC_KEY_PATH", key.as_str())]).await?;
        sim.install(&app.address, STUDIO).await;
        sim.install(&app.address, UNIVERSAL).await;
        let workspace = sim.workspace().await;
        Some(Stack { sim, app, workspace })
    }

    fn workspace_id(&self) -> String {
        self.workspace["id"].as_str().unwrap().to_string()
    }

    async fn session(&self, addon: &str) -> SessionView {
        self.sim.open_session(&self.app, addon).await
    }

    /// `POST /{addon}/explorer/execute` with `session` (if any); the status and JSON answer.
    async fn execute(&self, addon: &str, session: Option<&str>, request: &ExecuteRequest) -> (u16, Value) {
        let mut call = self
            .app
            .http
            .post(self.app.url(&format!("/{addon}/explorer/execute")))
            .json(request);
        if let Some(session) = session {
            call = call.header(SESSION_HEADER, session);
        }
        let response = call.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    async fn run(&self, addon: &str, session: &str, request: &ExecuteRequest) -> ExecuteResult {
        let (status, answer) = self.execute(addon, Some(session), request).await;
        assert_eq!(status, 200, "{answer}");
        serde_json::from_value(answer).unwrap()
    }

    async fn stop(self) {
        self.app.stop().await;
    }
}

fn request(operation_id: &str, params: &[(&str, &str)]) -> ExecuteRequest {
    ExecuteRequest {
        operation_id: operation_id.into(),
        params: params
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        ..ExecuteRequest::default()
    }
}

fn names(body: &Value) -> Vec<String> {
    let mut names: Vec<String> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

/// Runs `async fn $name(db: Db)` as `$name::sqlite` and `$name::postgres`.
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(crate::support::Db::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                super::$name(crate::support::Db::Postgres).await;
            }
        }
    };
}

async fn a_get_runs_against_the_simulator_and_is_recorded_for_the_user(db: Db) {
    let Some(stack) = Stack::start(db).await else {
        return;
    };
    for addon in [STUDIO, UNIVERSAL] {
        let session = stack.session(addon).await;
        // A workspaceId sent by the caller is replaced by the session's.
        let result = stack
            .run(
                addon,
                &session.token,
                &request("getTags", &[("workspaceId", "someone-elses"), ("page-size", "100")]),
            )
            .await;
        assert_eq!(result.status, 200);
        assert_eq!(result.last_page, Some(true));
        assert!(result
            .headers
            .iter()
            .any(|(name, value)| name == "last-page" && value == "true"));
        assert_eq!(
            result.path,
            format!("/v1/workspaces/{}/tags?page-size=100", stack.workspace_id())
        );
        let expected = names(&stack.workspace["tags"]);
        assert_eq!(expected.len(), 10);
        assert_eq!(names(result.body.as_ref().unwrap()), expected);

        // The acting user's history has it.
        let history = stack
            .app
            .store
            .explorer_history(addon, &stack.workspace_id(), &session.user_id, 10)
            .await
            .unwrap();
        assert_eq!(history.len(), 1, "{history:?}");
        let call = &history[0];
        assert_eq!(call.id, result.history_id);
        assert_eq!(call.user_id, session.user_id);
        assert_eq!((call.operation_id.as_str(), call.method.as_str()), ("getTags", "GET"));
        assert_eq!(call.status, Some(200));
        assert_eq!(call.path, result.path);
        assert!(call.params.contains("\"page-size\":\"100\""), "{}", call.params);
    }
    stack.stop().await;
}
on_both!(a_get_runs_against_the_simulator_and_is_recorded_for_the_user);

async fn upstream_errors_and_bad_input_are_reported(db: Db) {
    let Some(stack) = Stack::start(db).await else {
        return;
    };
    let session = stack.session(STUDIO).await;
    // Clockify's error comes back with its status and body (the simulator has no single-tag GET).
    let result = stack
        .run(STUDIO, &session.token, &request("getTag", &[("id", "nope")]))
        .await;
    assert_eq!(result.status, 404);
    assert!(result.body.as_ref().unwrap()["message"].is_string(), "{result:?}");
    let history = stack
        .app
        .store
        .explorer_history(STUDIO, &stack.workspace_id(), &session.user_id, 10)
        .await
        .unwrap();
    assert_eq!(history[0].status, Some(404));

    // Invalid fields are refused before anything is sent, each one named.
    let (status, answer) = stack
        .execute(
            STUDIO,
            Some(&session.token),
            &request("getTags", &[("page", "two"), ("archived", "maybe")]),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], "invalid_parameters");
    let fields: Vec<&str> = answer["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| problem["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["page", "archived"], "{answer}");

    // Operations Clockify only takes a personal key for are refused with a reason.
    let (status, answer) = stack
        .execute(STUDIO, Some(&session.token), &request("getWorkspacesOfUser", &[]))
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["code"], "not_for_addons");
    assert!(answer["message"].as_str().unwrap().contains("personal API key"));
    let (status, answer) = stack
        .execute(STUDIO, Some(&session.token), &request("noSuchOperation", &[]))
        .await;
    assert_eq!((status, answer["code"].as_str()), (404, Some("unknown_operation")));

    // Without a valid session of this add-on: 401.
    let (status, answer) = stack.execute(STUDIO, None, &request("getTags", &[])).await;
    assert_eq!((status, answer["code"].as_str()), (401, Some("missing_session")));
    let (status, _) = stack
        .execute(STUDIO, Some("forged.token"), &request("getTags", &[]))
        .await;
    assert_eq!(status, 401);
    let (status, answer) = stack
        .execute(UNIVERSAL, Some(&session.token), &request("getTags", &[]))
        .await;
    assert_eq!((status, answer["code"].as_str()), (401, Some("invalid_session")));
    // Only the explorer's own refusals were recorded: the 404 call.
    let history = stack
        .app
        .store
        .explorer_history(STUDIO, &stack.workspace_id(), &session.user_id, 10)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    stack.stop().await;
}
on_both!(upstream_errors_and_bad_input_are_reported);

fn create_tag(name: &str, confirmed: bool) -> ExecuteRequest {
    ExecuteRequest {
        body: Some(json!({ "name": name }).to_string()),
        confirmed,
        ..request("createNewTag", &[])
    }
}

async fn tag_names(stack: &Stack, addon: &str, session: &str) -> Vec<String> {
    let result = stack
        .run(addon, session, &request("getTags", &[("page-size", "500")]))
        .await;
    names(result.body.as_ref().unwrap())
}

async fn api_studio_refuses_a_post_with_403(db: Db) {
    let Some(stack) = Stack::start(db).await else {
        return;
    };
    let session = stack.session(STUDIO).await;
    // Called directly, confirmed or not: 403, and nothing reaches Clockify.
    for confirmed in [false, true] {
        let (status, answer) = stack
            .execute(STUDIO, Some(&session.token), &create_tag("From API Studio", confirmed))
            .await;
        assert_eq!(status, 403, "{answer}");
        assert_eq!(answer["code"], "read_only_profile");
        assert!(answer["message"].as_str().unwrap().contains("GET operations only"));
    }
    // Not even a POST that only reads (a report).
    let (status, _) = stack
        .execute(
            STUDIO,
            Some(&session.token),
            &ExecuteRequest {
                confirmed: true,
                body: Some("{}".into()),
                ..request("generateDetailedReport", &[])
            },
        )
        .await;
    assert_eq!(status, 403);
    assert!(!tag_names(&stack, STUDIO, &session.token)
        .await
        .contains(&"From API Studio".to_string()));
    let history = stack
        .app
        .store
        .explorer_history(STUDIO, &stack.workspace_id(), &session.user_id, 10)
        .await
        .unwrap();
    assert!(history.iter().all(|call| call.method == "GET"), "{history:?}");
    stack.stop().await;
}
on_both!(api_studio_refuses_a_post_with_403);

async fn universal_webhook_runs_a_post_only_when_confirmed(db: Db) {
    let Some(stack) = Stack::start(db).await else {
        return;
    };
    let session = stack.session(UNIVERSAL).await;
    let (status, answer) = stack
        .execute(UNIVERSAL, Some(&session.token), &create_tag("Sprint 42", false))
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["code"], "confirmation_required");
    assert!(!tag_names(&stack, UNIVERSAL, &session.token)
        .await
        .contains(&"Sprint 42".to_string()));

    let result = stack
        .run(UNIVERSAL, &session.token, &create_tag("Sprint 42", true))
        .await;
    assert_eq!(result.status, 201, "{result:?}");
    assert_eq!(result.method, "POST");
    let created = result.body.as_ref().unwrap();
    assert_eq!(created["name"], "Sprint 42");
    assert_eq!(created["workspaceId"], stack.workspace_id());
    // The simulator lists it from now on.
    let names = tag_names(&stack, UNIVERSAL, &session.token).await;
    assert!(names.contains(&"Sprint 42".to_string()), "{names:?}");
    assert_eq!(names.len(), 11);

    // Clockify's refusal of a duplicate comes back as its 400 with its message.
    let result = stack
        .run(UNIVERSAL, &session.token, &create_tag("Sprint 42", true))
        .await;
    assert_eq!(result.status, 400);
    assert!(result.body.as_ref().unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("already exists"));

    let history = stack
        .app
        .store
        .explorer_history(UNIVERSAL, &stack.workspace_id(), &session.user_id, 10)
        .await
        .unwrap();
    let post = history
        .iter()
        .find(|call| call.status == Some(201))
        .expect("the POST is in the history");
    assert_eq!(post.user_id, session.user_id);
    assert_eq!(post.method, "POST");
    assert_eq!(post.body.as_deref(), Some(r#"{"name":"Sprint 42"}"#));
    stack.stop().await;
}
on_both!(universal_webhook_runs_a_post_only_when_confirmed);

async fn fetch_all_pages_returns_exactly_the_simulators_count_without_429(db: Db) {
    let Some(stack) = Stack::start(db).await else {
        return;
    };
    let session = stack.session(UNIVERSAL).await;
    let operation = ApiSpec::clockify().operation("getUsersOfWorkspace").unwrap();
    // The form as the page fills it (required defaults included), with a small page size.
    let mut values: FormValues = prefill(operation, &session.workspace_id, &session.user_id);
    values.insert("page-size".into(), "4".into());
    // The same walk the page runs: one request per page through the execute endpoint.
    let mut walk = PageWalk::start(operation, &values).unwrap();
    let mut requests = 0;
    while !walk.is_finished() {
        let result = stack
            .run(
                UNIVERSAL,
                &session.token,
                &ExecuteRequest {
                    operation_id: operation.id.clone(),
                    params: walk.next_values(&values),
                    full: true,
                    ..ExecuteRequest::default()
                },
            )
            .await;
        assert_eq!(result.status, 200, "{result:?}");
        walk.absorb(result.body.as_ref().unwrap(), result.last_page).unwrap();
        requests += 1;
        assert!(requests <= 20, "the walk does not end");
    }
    let expected = stack.workspace["counts"]["users"].as_u64().unwrap() as usize;
    assert_eq!(expected, 23);
    assert_eq!(walk.pages(), 6, "23 users in pages of 4");
    let mut ids: Vec<&str> = walk.items().iter().map(|user| user["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected, "every user exactly once");
    assert_eq!(walk.items().len(), expected);
    let stats = stack.sim.stats().await;
    assert_eq!(stats["tooManyRequests"], 0, "{stats}");
    let history = stack
        .app
        .store
        .explorer_history(UNIVERSAL, &stack.workspace_id(), &session.user_id, 50)
        .await
        .unwrap();
    assert_eq!(history.len(), 6, "one entry per page");
    stack.stop().await;
}
on_both!(fetch_all_pages_returns_exactly_the_simulators_count_without_429);
