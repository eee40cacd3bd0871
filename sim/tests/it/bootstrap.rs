//! The GET endpoints an add-on's bootstrap reads: pagination like Clockify's, DTO shapes,
//! scopes, and the simulator's counts to compare with.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::common::{installed_with_scopes, ApiAnswer, TestSim, READ_SCOPES};

/// Starts the demo simulator with a rate limit that walking many pages will not hit, and
/// installs an add-on with every read scope.
async fn setup() -> (TestSim, String, String) {
    let sim = TestSim::start().await;
    sim.set_faults(json!({ "rateLimit": 1_000_000 })).await;
    let installed = installed_with_scopes(&sim, &READ_SCOPES).await;
    (sim, installed.token, installed.workspace_id)
}

fn with_query(path: &str, query: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}{query}")
}

/// Walks every page of `path` with `size` items per page, checking `Last-Page` on each, and
/// answers every item (`items` picks them out of a page's body).
async fn walk(sim: &TestSim, token: &str, path: &str, size: usize, items: fn(&Value) -> Vec<Value>) -> Vec<Value> {
    let mut all = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        let answer = sim
            .api(
                &with_query(path, &format!("page={pages}&page-size={size}")),
                Some(token),
            )
            .await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.text);
        let page = items(answer.body());
        assert!(page.len() <= size);
        let last = answer.last_page.as_deref();
        all.extend(page.iter().cloned());
        match last {
            Some("true") => break,
            Some("false") => assert_eq!(page.len(), size, "{path}: only the last page may be short"),
            other => panic!("{path}: Last-Page is {other:?}"),
        }
    }
    assert_eq!(
        pages,
        all.len().div_ceil(size).max(1),
        "{path}: Last-Page came on the wrong page"
    );
    let ids: HashSet<&str> = all.iter().map(id_of).collect();
    assert_eq!(ids.len(), all.len(), "{path}: an item came twice");
    all
}

fn id_of(item: &Value) -> &str {
    item["id"]
        .as_str()
        .or_else(|| item["approvalRequest"]["id"].as_str())
        .unwrap_or_else(|| panic!("no id in {item}"))
}

fn array(body: &Value) -> Vec<Value> {
    body.as_array().expect("an array").clone()
}

fn count(counts: &Value, kind: &str) -> usize {
    counts[kind].as_u64().unwrap_or_else(|| panic!("no count {kind}")) as usize
}

#[tokio::test]
async fn every_list_pages_to_exactly_the_simulators_counts() {
    let (sim, token, ws) = setup().await;
    let workspace = sim.workspace().await;
    let counts = &workspace["counts"];
    let base = format!("/v1/workspaces/{ws}");

    for (path, kind) in [
        ("users", "users"),
        ("projects", "projects"),
        ("clients", "clients"),
        ("tags", "tags"),
        ("user-groups", "userGroups"),
        ("time-off/policies", "timeOffPolicies"),
        ("approval-requests", "approvalRequests"),
    ] {
        let items = walk(&sim, &token, &format!("{base}/{path}"), 3, array).await;
        assert_eq!(items.len(), count(counts, kind), "{path}");
    }

    let expenses = walk(&sim, &token, &format!("{base}/expenses"), 7, |body| {
        assert!(body["expenses"]["count"].is_u64(), "{body}");
        assert!(body["dailyTotals"].is_array() && body["weeklyTotals"].is_array());
        array(&body["expenses"]["expenses"])
    })
    .await;
    assert_eq!(expenses.len(), count(counts, "expenses"));
    let first = sim.api(&format!("{base}/expenses"), Some(&token)).await;
    assert_eq!(first.body()["expenses"]["count"], counts["expenses"]);

    let invoices = walk(&sim, &token, &format!("{base}/invoices"), 4, |body| {
        assert!(body["total"].is_u64(), "{body}");
        array(&body["invoices"])
    })
    .await;
    assert_eq!(invoices.len(), count(counts, "invoices"));

    let mut tasks = 0;
    for project in workspace["projects"].as_array().unwrap() {
        let path = format!("{base}/projects/{}/tasks", project["id"].as_str().unwrap());
        let items = walk(&sim, &token, &path, 4, array).await;
        assert!(items.iter().all(|task| task["projectId"] == project["id"]));
        tasks += items.len();
    }
    assert_eq!(tasks, count(counts, "tasks"));

    let mut entries = 0;
    for user in workspace["users"].as_array().unwrap() {
        let path = format!("{base}/user/{}/time-entries", user["id"].as_str().unwrap());
        let items = walk(&sim, &token, &path, 20, array).await;
        assert!(items.iter().all(|entry| entry["userId"] == user["id"]));
        entries += items.len();
    }
    assert_eq!(entries, count(counts, "timeEntries"));

    let running = walk(
        &sim,
        &token,
        &format!("{base}/time-entries/status/in-progress"),
        2,
        array,
    )
    .await;
    assert_eq!(running.len(), count(counts, "inProgressTimeEntries"));
    assert!(running.iter().all(|entry| entry["timeInterval"]["end"].is_null()));

    // Not paginated in Clockify: everything at once, no Last-Page.
    for (path, kind) in [("custom-fields", "customFields"), ("holidays", "holidays")] {
        let answer = sim.api(&format!("{base}/{path}"), Some(&token)).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.last_page, None, "{path}");
        assert_eq!(answer.body().as_array().unwrap().len(), count(counts, kind), "{path}");
    }
}

#[tokio::test]
async fn answers_have_clockifys_field_names() {
    let (sim, token, ws) = setup().await;
    let base = format!("/v1/workspaces/{ws}");
    let first = |answer: ApiAnswer| answer.body()[0].clone();

    let project = first(sim.api(&format!("{base}/projects"), Some(&token)).await);
    for field in [
        "id",
        "name",
        "clientId",
        "clientName",
        "workspaceId",
        "archived",
        "billable",
        "color",
        "public",
    ] {
        assert!(project.get(field).is_some(), "project.{field} in {project}");
    }
    assert_eq!(project["workspaceId"], ws.as_str());
    let single = sim
        .api(
            &format!("{base}/projects/{}", project["id"].as_str().unwrap()),
            Some(&token),
        )
        .await;
    assert_eq!(single.status, 200);
    assert_eq!(single.last_page, None);
    assert_eq!(single.body(), &project);
    let missing = sim
        .api(&format!("{base}/projects/ffffffffffffffffffffffff"), Some(&token))
        .await;
    assert_eq!(missing.status, 404);
    let missing = sim
        .api(&format!("{base}/projects/ffffffffffffffffffffffff/tasks"), Some(&token))
        .await;
    assert_eq!(missing.status, 404);

    let user = first(sim.api(&format!("{base}/users"), Some(&token)).await);
    for field in ["id", "name", "email", "status", "settings", "memberships"] {
        assert!(user.get(field).is_some(), "user.{field} in {user}");
    }
    let client = first(sim.api(&format!("{base}/clients"), Some(&token)).await);
    assert_eq!(client["workspaceId"], ws.as_str());
    assert_eq!(client["archived"], false);
    let tag = first(sim.api(&format!("{base}/tags"), Some(&token)).await);
    assert_eq!(tag["workspaceId"], ws.as_str());
    let field = first(sim.api(&format!("{base}/custom-fields"), Some(&token)).await);
    for name in ["type", "entityType", "allowedValues", "status", "required"] {
        assert!(field.get(name).is_some(), "customField.{name}");
    }
    let holiday = first(sim.api(&format!("{base}/holidays"), Some(&token)).await);
    assert!(holiday["datePeriod"]["startDate"].is_string());

    let owner = sim.workspace().await["ownerId"].as_str().unwrap().to_string();
    let entry = first(
        sim.api(&format!("{base}/user/{owner}/time-entries"), Some(&token))
            .await,
    );
    for field in [
        "id",
        "description",
        "userId",
        "projectId",
        "taskId",
        "tagIds",
        "billable",
        "workspaceId",
    ] {
        assert!(entry.get(field).is_some(), "timeEntry.{field} in {entry}");
    }
    let interval = &entry["timeInterval"];
    assert!(interval["start"].as_str().unwrap().ends_with('Z'));
    assert!(interval["duration"].is_null() || interval["duration"].as_str().unwrap().starts_with("PT"));
}

#[tokio::test]
async fn page_sizes_are_capped_and_bad_pages_are_400() {
    let (sim, token, ws) = setup().await;
    let base = format!("/v1/workspaces/{ws}");
    let status = |answer: ApiAnswer| answer.status;

    let users = sim.api(&format!("{base}/users"), Some(&token)).await;
    assert_eq!(users.body().as_array().unwrap().len(), 8, "default page size 50");
    assert_eq!(users.last_page.as_deref(), Some("true"));
    assert_eq!(
        status(sim.api(&format!("{base}/users?page-size=5000"), Some(&token)).await),
        200
    );
    assert_eq!(
        status(sim.api(&format!("{base}/users?page-size=5001"), Some(&token)).await),
        400
    );
    let policies = format!("{base}/time-off/policies");
    assert_eq!(
        status(sim.api(&format!("{policies}?page-size=200"), Some(&token)).await),
        200
    );
    assert_eq!(
        status(sim.api(&format!("{policies}?page-size=201"), Some(&token)).await),
        400
    );
    assert_eq!(
        status(sim.api(&format!("{policies}?page=1001"), Some(&token)).await),
        400
    );
    let running = format!("{base}/time-entries/status/in-progress");
    assert_eq!(
        status(sim.api(&format!("{running}?page-size=1000"), Some(&token)).await),
        200
    );
    assert_eq!(
        status(sim.api(&format!("{running}?page-size=1001"), Some(&token)).await),
        400
    );

    for query in [
        "page=0",
        "page=-1",
        "page=abc",
        "page=",
        "page-size=0",
        "page-size=-5",
        "page-size=ten",
    ] {
        let answer = sim.api(&format!("{base}/projects?{query}"), Some(&token)).await;
        assert_eq!(answer.status, 400, "{query}");
        assert_eq!(answer.body()["code"], 400, "{query}");
        assert!(answer.body()["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    let past_the_end = sim.api(&format!("{base}/projects?page=99"), Some(&token)).await;
    assert_eq!(past_the_end.status, 200);
    assert_eq!(past_the_end.body(), &json!([]));
    assert_eq!(past_the_end.last_page.as_deref(), Some("true"));
}

#[tokio::test]
async fn time_entries_filter_by_start() {
    let (sim, token, ws) = setup().await;
    let owner = sim.workspace().await["ownerId"].as_str().unwrap().to_string();
    let path = format!("/v1/workspaces/{ws}/user/{owner}/time-entries");
    let all = array(sim.api(&format!("{path}?page-size=5000"), Some(&token)).await.body());
    assert!(all.len() > 4, "the owner has entries");
    let start_of = |entry: &Value| entry["timeInterval"]["start"].as_str().unwrap().to_string();
    let starts: Vec<String> = all.iter().map(start_of).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(starts, sorted, "newest first");

    let cut = starts[all.len() / 2].clone();
    let filtered = array(
        sim.api(&format!("{path}?page-size=5000&start={cut}"), Some(&token))
            .await
            .body(),
    );
    let expected = starts.iter().filter(|start| **start >= cut).count();
    assert_eq!(filtered.len(), expected);
    assert!(filtered.iter().all(|entry| start_of(entry) >= cut));

    // The same instant with an offset.
    let answer = sim
        .api(&format!("{path}?start=2000-01-01T01:00:00%2B01:00"), Some(&token))
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body().as_array().unwrap().len(), all.len().min(50));

    let bad = sim.api(&format!("{path}?start=yesterday"), Some(&token)).await;
    assert_eq!((bad.status, &bad.body()["code"]), (400, &json!(400)));
    let unknown = sim
        .api(
            &format!("/v1/workspaces/{ws}/user/ffffffffffffffffffffffff/time-entries"),
            Some(&token),
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn missing_scopes_are_403_and_missing_tokens_401() {
    let sim = TestSim::start().await;
    let installed = installed_with_scopes(&sim, &["WORKSPACE_READ", "USER_READ", "PROJECT_WRITE"]).await;
    let token = Some(installed.token.as_str());
    let base = format!("/v1/workspaces/{}", installed.workspace_id);

    assert_eq!(sim.api(&base, token).await.status, 200);
    assert_eq!(sim.api(&format!("{base}/users"), token).await.status, 200);
    for (path, scope) in [
        ("projects", "PROJECT_READ"),
        ("clients", "CLIENT_READ"),
        ("tags", "TAG_READ"),
        ("custom-fields", "CUSTOM_FIELDS_READ"),
        ("user-groups", "GROUP_READ"),
        ("holidays", "TIME_OFF_READ"),
        ("time-off/policies", "TIME_OFF_READ"),
        ("expenses", "EXPENSE_READ"),
        ("invoices", "INVOICE_READ"),
        ("approval-requests", "APPROVAL_READ"),
        ("time-entries/status/in-progress", "TIME_ENTRY_READ"),
    ] {
        let answer = sim.api(&format!("{base}/{path}"), token).await;
        assert_eq!(answer.status, 403, "{path}");
        assert_eq!(
            answer.body(),
            &json!({
                "message": format!("Addon with id {} does not have permission {scope}", installed.addon_id),
                "code": 403,
            }),
            "{path}"
        );
    }

    let answer = sim.api(&format!("{base}/users"), None).await;
    assert_eq!(answer.status, 401);
    assert!(answer.body()["message"].is_string());
    assert_eq!(sim.api(&format!("{base}/projects"), Some("forged")).await.status, 401);
}

/// API Studio's manifest must carry the scopes of its bootstrap set.
#[tokio::test]
async fn api_studio_scopes_cover_its_bootstrap() {
    let manifest_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../manifests/api-studio.json");
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(manifest_path).unwrap()).unwrap();
    let scopes: Vec<&str> = manifest["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let sim = TestSim::start().await;
    let installed = installed_with_scopes(&sim, &scopes).await;
    let base = format!("/v1/workspaces/{}", installed.workspace_id);
    for path in ["", "/users", "/projects", "/clients", "/tags", "/custom-fields"] {
        let answer = sim.api(&format!("{base}{path}"), Some(&installed.token)).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    }
}
