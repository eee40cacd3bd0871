//! Flows: pure evaluation. One flow (5 rules with mixed operators, among them a regex and a
//! duration comparison; a Clockify action with templated parameters and JSON body, and an HTTP
//! action) is compiled once, then run for N distinct events on one core: build the event
//! document, evaluate the conditions, convert the document for the templates once, render both
//! steps. Prints events/s and ns/event, best of several rounds, plus the split.
//!
//! `cargo bench -p addon-core --bench flows`

use std::{collections::BTreeMap, error::Error, hint::black_box, sync::Arc, time::Instant};

use addon_core::{
    flows::{
        document::EventContext,
        evaluate::CompiledFlow,
        model::{Action, Combine, ConditionGroup, Conditions, FlowDefinition, Operator, Rule, Trigger},
        template::RenderContext,
        validate::Capabilities,
    },
    profile::UNIVERSAL_WEBHOOK,
};
use serde_json::{json, Value};

const SAMPLE: &str = include_str!("../tests/fixtures/webhook-samples/NEW_TIME_ENTRY.json");
const EVENTS: usize = 20_000;
const ROUNDS: usize = 5;

fn rule(path: &str, operator: Operator, value: &str) -> Rule {
    Rule {
        path: path.into(),
        operator,
        value: value.into(),
    }
}

/// The flow: `heavy` uses templates the engine must evaluate (a `map` filter, a dict literal
/// with `date` and `json`); otherwise typical ones (field paths, `upper`, `body | json`).
fn definition(heavy: bool) -> FlowDefinition {
    let (tag_ids, http_body) = if heavy {
        (
            "{{ body.tags | map(attribute='id') | list }}",
            "{{ {'entry': body.id, 'user': body.user.name, 'duration': body.timeInterval.duration, \
             'day': body.timeInterval.start | date('%Y-%m-%d')} | json }}",
        )
    } else {
        ("{{ body.task.assigneeIds }}", "{{ body | json }}")
    };
    FlowDefinition {
        name: "Benchmark".into(),
        description: String::new(),
        trigger: Trigger {
            event_types: vec!["NEW_TIME_ENTRY".into()],
            sources: vec![],
        },
        conditions: Conditions {
            combine: Combine::All,
            groups: vec![
                ConditionGroup {
                    combine: Combine::All,
                    rules: vec![
                        rule("$.body.timeInterval.duration", Operator::GreaterThan, "PT1H"),
                        rule("$.body.description", Operator::Matches, r"(?i)^(test|work)\s*#?\d*$"),
                        rule("$.body.type", Operator::InList, "REGULAR, BREAK"),
                    ],
                },
                ConditionGroup {
                    combine: Combine::Any,
                    rules: vec![
                        rule("$.body.project.name", Operator::Equals, "Test"),
                        rule("$.body.tags[*].name", Operator::Contains, "ne"),
                    ],
                },
            ],
        },
        actions: vec![
            Action::Clockify {
                id: "entry".into(),
                operation_id: "updateTimeEntry".into(),
                params: BTreeMap::from([("id".to_string(), "{{ body.id }}".to_string())]),
                body: Some(json!({
                    "start": "{{ body.timeInterval.start }}",
                    "end": "{{ body.timeInterval.end }}",
                    "billable": "{{ body.billable }}",
                    "description": "{{ body.description | upper }} ({{ body.user.name }})",
                    "projectId": "{{ body.projectId }}",
                    "tagIds": tag_ids
                })),
            },
            Action::Http {
                id: "notify".into(),
                method: "POST".into(),
                url: "https://hooks.example.com/entries/{{ body.id }}".into(),
                headers: BTreeMap::from([
                    ("Authorization".to_string(), "Bearer {{ secrets.TOKEN }}".to_string()),
                    ("Content-Type".to_string(), "application/json".to_string()),
                ]),
                body: Some(http_body.into()),
            },
        ],
    }
}

/// N events that differ in id, description and duration.
fn events(sample: &Value) -> Vec<EventContext> {
    (0..EVENTS)
        .map(|index| {
            let mut body = sample.clone();
            body["id"] = json!(format!("68453d0cf0c88d52{index:08x}"));
            body["description"] = json!(format!("Test #{index}"));
            body["timeInterval"]["duration"] = json!(format!("PT{}H{}M", 2 + index % 10, index % 60));
            EventContext {
                event_id: format!("ev{index}"),
                workspace_id: "684446430300f917a02c198b".into(),
                source: "clockify".into(),
                event_type: "NEW_TIME_ENTRY".into(),
                received_at: 1_750_100_000_000 + index as i64,
                headers: json!({ "content-type": "application/json", "clockify-webhook-event-type": "NEW_TIME_ENTRY" }),
                body,
            }
        })
        .collect()
}

/// Nanoseconds this thread has spent on a CPU (Linux), to tell the benchmark's own cost from
/// time it waited while other processes ran.
fn thread_cpu_ns() -> Option<u128> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn main() -> Result<(), Box<dyn Error>> {
    let sample: Value = serde_json::from_str(SAMPLE)?;
    let events = events(&sample);
    for (label, heavy) in [("typical templates", false), ("heavy templates", true)] {
        run(label, heavy, &events)?;
    }
    Ok(())
}

fn run(label: &str, heavy: bool, events: &[EventContext]) -> Result<(), Box<dyn Error>> {
    let caps = Capabilities {
        profile: &UNIVERSAL_WEBHOOK,
        generic_http: true,
        source_ids: vec![],
    };
    let flow = CompiledFlow::compile(&definition(heavy), &caps).map_err(|problems| format!("{problems:?}"))?;
    let secrets = Arc::new(BTreeMap::from([("TOKEN".to_string(), "secret-token".to_string())]));

    // Warm up, and make sure every event matches and renders (a failing benchmark would lie).
    for event in events.iter().take(1_000) {
        let doc = Arc::new(event.clone().into_document());
        if !flow.conditions(&doc).matched {
            return Err(format!("event {} does not match", event.event_id).into());
        }
        let ctx = RenderContext::from_shared(doc, secrets.clone());
        for index in 0..flow.steps_len() {
            flow.render_step_with(index, &ctx)?;
        }
    }

    let mut best = [f64::MAX; 5];
    let mut best_on_cpu = 0.0f64;
    for _ in 0..ROUNDS {
        let mut spent = [0u128; 4];
        let (wall_before, cpu_before) = (Instant::now(), thread_cpu_ns());
        for event in events {
            // Not timed: the runtime has just parsed the stored event, so it is in cache.
            let event = event.clone();
            let start = Instant::now();
            let doc = Arc::new(event.into_document());
            let documented = Instant::now();
            let result = flow.conditions(&doc);
            let evaluated = Instant::now();
            let ctx = RenderContext::from_shared(doc, secrets.clone());
            let converted = Instant::now();
            for index in 0..flow.steps_len() {
                black_box(flow.render_step_with(index, &ctx)?);
            }
            let rendered = Instant::now();
            black_box(result);
            spent[0] += (documented - start).as_nanos();
            spent[1] += (evaluated - documented).as_nanos();
            spent[2] += (converted - evaluated).as_nanos();
            spent[3] += (rendered - converted).as_nanos();
        }
        let wall = wall_before.elapsed().as_nanos() as f64;
        // The share of the round this thread was on a CPU (1.0 on an idle machine).
        let on_cpu = thread_cpu_ns()
            .zip(cpu_before)
            .map_or(1.0, |(after, before)| (after - before) as f64 / wall);
        let per_event = |total: u128| total as f64 / EVENTS as f64;
        let total = per_event(spent.iter().sum());
        if total < best[0] {
            best_on_cpu = on_cpu;
        }
        best[0] = best[0].min(total);
        for (slot, part) in best[1..].iter_mut().zip(spent) {
            *slot = slot.min(per_event(part));
        }
    }
    let [total, document, conditions, context, render] = best;
    println!("flows, {label}: {EVENTS} events x {ROUNDS} rounds, 5 rules, 2 steps, one thread (best round)");
    println!("  events/s        {:>10.0}", 1e9 / total);
    println!("  ns/event        {total:>10.0}");
    println!("    document      {document:>10.0} ns");
    println!("    conditions    {conditions:>10.0} ns (5 rules)");
    println!("    template ctx  {context:>10.0} ns (document shared, read in place)");
    println!("    render steps  {render:>10.0} ns (2 steps)");
    println!(
        "  on a CPU {:.0}% of that round: {:.0} events per CPU-second",
        best_on_cpu * 100.0,
        1e9 / (total * best_on_cpu.min(1.0))
    );
    Ok(())
}
