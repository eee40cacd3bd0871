//! Events per minute by event type over the last 24 hours: [`bucket`] turns the store's
//! `(minute, event type, count)` rows into stacked columns (one colour per type, the rarest
//! types folded into "Other"), and [`EventChart`] draws them as an inline SVG with a legend and
//! a hover title per minute.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::thousands;

/// Minutes the chart spans.
pub const CHART_MINUTES: i64 = 1440;

/// Most colours; beyond this the rarest types share "Other".
pub const MAX_SERIES: usize = 8;

/// One colour per series, readable on white and on the dark theme's slate.
pub const PALETTE: [&str; MAX_SERIES] = [
    "#03a9f4", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#f97316",
];

/// The colour of "Other".
pub const OTHER_COLOR: &str = "#94a3b8";

/// One event type (or "Other") in the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    pub color: String,
    pub total: i64,
    /// The types folded into "Other" (empty for a single type).
    pub members: Vec<String>,
}

/// One minute with events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Minutes since the epoch.
    pub minute: i64,
    /// `(series index, count)`, in series order (bottom of the stack first).
    pub counts: Vec<(usize, i64)>,
    pub total: i64,
}

/// The chart's data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartData {
    /// The first minute shown (minutes since the epoch); the last is `first_minute + minutes - 1`.
    pub first_minute: i64,
    pub minutes: i64,
    /// Most frequent first.
    pub series: Vec<Series>,
    /// Minutes with events, oldest first.
    pub columns: Vec<Column>,
    /// The busiest minute's count.
    pub peak: i64,
    pub total: i64,
}

/// Buckets `(minute, event type, count)` rows into the [`CHART_MINUTES`] minutes ending with
/// `now_minute`; rows outside are ignored.
pub fn bucket(rows: &[(i64, String, i64)], now_minute: i64) -> ChartData {
    let first_minute = now_minute - CHART_MINUTES + 1;
    let rows: Vec<&(i64, String, i64)> = rows
        .iter()
        .filter(|(minute, _, count)| (first_minute..=now_minute).contains(minute) && *count > 0)
        .collect();
    // Totals per type, most frequent first (ties by name).
    let mut totals: Vec<(String, i64)> = Vec::new();
    for (_, event_type, count) in &rows {
        match totals.iter_mut().find(|(name, _)| name == event_type) {
            Some((_, total)) => *total += count,
            None => totals.push((event_type.clone(), *count)),
        }
    }
    totals.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shown = if totals.len() > MAX_SERIES {
        MAX_SERIES - 1
    } else {
        totals.len()
    };
    let mut series: Vec<Series> = totals[..shown]
        .iter()
        .enumerate()
        .map(|(index, (name, total))| Series {
            name: name.clone(),
            color: PALETTE[index].to_string(),
            total: *total,
            members: Vec::new(),
        })
        .collect();
    if totals.len() > shown {
        let rest = &totals[shown..];
        series.push(Series {
            name: format!("Other ({} types)", rest.len()),
            color: OTHER_COLOR.to_string(),
            total: rest.iter().map(|(_, total)| total).sum(),
            members: rest.iter().map(|(name, _)| name.clone()).collect(),
        });
    }
    let index_of = |event_type: &str| -> usize { series.iter().position(|s| s.name == event_type).unwrap_or(shown) };
    let mut by_minute: std::collections::BTreeMap<i64, Column> = std::collections::BTreeMap::new();
    for (minute, event_type, count) in rows {
        let index = index_of(event_type);
        let column = by_minute.entry(*minute).or_insert_with(|| Column {
            minute: *minute,
            counts: Vec::new(),
            total: 0,
        });
        column.total += count;
        match column.counts.iter_mut().find(|(series, _)| *series == index) {
            Some((_, total)) => *total += count,
            None => column.counts.push((index, *count)),
        }
    }
    let mut columns: Vec<Column> = by_minute.into_values().collect();
    for column in &mut columns {
        column.counts.sort_by_key(|(series, _)| *series);
    }
    ChartData {
        first_minute,
        minutes: CHART_MINUTES,
        peak: columns.iter().map(|column| column.total).max().unwrap_or(0),
        total: columns.iter().map(|column| column.total).sum(),
        series,
        columns,
    }
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1): the top of the y axis.
pub fn nice_ceiling(value: i64) -> i64 {
    let mut step = 1i64;
    loop {
        for factor in [1, 2, 5] {
            if step.saturating_mul(factor) >= value {
                return step.saturating_mul(factor);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// `HH:MM` (UTC) of a minute since the epoch.
pub fn clock(minute: i64) -> String {
    let of_day = minute.rem_euclid(1440);
    format!("{:02}:{:02}", of_day / 60, of_day % 60)
}

const LEFT: i64 = 52;
const TOP: i64 = 10;
const PLOT_HEIGHT: i64 = 150;
const BOTTOM: i64 = 30;
const RIGHT: i64 = 12;

/// Minutes the chart can zoom to: the whole day, or the last hour.
pub const ZOOMS: [(i64, &str); 2] = [(CHART_MINUTES, "24 hours"), (60, "Last hour")];

/// Width of the plot in SVG units (one unit per minute at the full span).
const PLOT_WIDTH: i64 = CHART_MINUTES;

/// The chart and its legend; `span` (minutes, see [`ZOOMS`]) lives with the caller so a refresh
/// keeps it.
#[component]
pub fn EventChart(data: ChartData, span: RwSignal<i64>) -> impl IntoView {
    let zoom_buttons = ZOOMS
        .into_iter()
        .map(|(minutes, label)| {
            let pressed = move || span.get() == minutes;
            view! {
                <button type="button" data-zoom=minutes.to_string() aria-pressed=move || pressed().to_string()
                        class=move || if pressed() {
                            "rounded-full bg-[#03a9f4] px-2.5 py-0.5 text-xs font-semibold text-white"
                        } else {
                            "rounded-full bg-slate-100 px-2.5 py-0.5 text-xs text-slate-700 hover:bg-slate-200 dark:bg-slate-700 dark:text-slate-200"
                        }
                        on:click=move |_| span.set(minutes)>
                    {label}
                </button>
            }
        })
        .collect_view();
    let empty = data.columns.is_empty();
    let summary = if empty {
        "No events in the last 24 hours.".to_string()
    } else {
        format!(
            "{} event(s) in the last 24 hours; the busiest minute had {}.",
            thousands(data.total),
            thousands(data.peak)
        )
    };
    let legend = data
        .series
        .iter()
        .map(|series| {
            let title = series.members.join(", ");
            view! {
                <li class="flex items-center gap-1.5" data-testid="chart-legend-item" data-type=series.name.clone() title=title>
                    <span class="inline-block h-2.5 w-2.5 rounded-sm" style=format!("background-color: {}", series.color)></span>
                    <span class="font-mono">{series.name.clone()}</span>
                    <span class="text-slate-500 dark:text-slate-400">{thousands(series.total)}</span>
                </li>
            }
        })
        .collect_view();
    let total = data.total;
    view! {
        <div data-testid="event-chart" data-total=total.to_string()>
            <div class="mb-2 flex flex-wrap items-center justify-between gap-2">
                <p class="text-xs text-slate-500 dark:text-slate-400" data-testid="chart-summary">{summary}</p>
                <div class="flex gap-1" role="group" aria-label="Zoom">{zoom_buttons}</div>
            </div>
            {move || view! { <ChartSvg data=data.clone() span=span.get()/> }}
            <ul class="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs" data-testid="chart-legend">{legend}</ul>
        </div>
    }
}

/// The SVG of the last `span` minutes of `data`.
#[component]
fn ChartSvg(data: ChartData, span: i64) -> impl IntoView {
    let span = span.clamp(1, data.minutes.max(1));
    let unit = PLOT_WIDTH / span;
    let last = data.first_minute + data.minutes - 1;
    let first = last - span + 1;
    let visible: Vec<&Column> = data.columns.iter().filter(|column| column.minute >= first).collect();
    let width = LEFT + PLOT_WIDTH + RIGHT;
    let height = TOP + PLOT_HEIGHT + BOTTOM;
    let top = nice_ceiling(visible.iter().map(|column| column.total).max().unwrap_or(0));
    let y = move |count: i64| TOP + PLOT_HEIGHT - count * PLOT_HEIGHT / top;
    let baseline = TOP + PLOT_HEIGHT;
    let x = move |minute: i64| LEFT + (minute - first) * unit;
    let bar_width = (unit * 3 / 4).max(3);
    let bar_offset = (unit - bar_width) / 2;
    let hit_width = unit.max(8);
    let hit_offset = (unit - hit_width) / 2;
    // Grid lines and labels at 0, half and the top.
    let mut marks = vec![0, top / 2, top];
    marks.dedup();
    let grid = marks
        .into_iter()
        .map(|value| {
            let at = y(value);
            let label_y = at + 6;
            view! {
                <line x1=LEFT x2=LEFT + PLOT_WIDTH y1=at y2=at stroke-width="1"
                      class="stroke-slate-200 dark:stroke-slate-700"/>
                <text x=LEFT - 8 y=label_y text-anchor="end" font-size="18"
                      class="fill-slate-500 dark:fill-slate-400">{thousands(value)}</text>
            }
        })
        .collect_view();
    // A tick every three hours on the hour (UTC), or every ten minutes in the hour view.
    let tick_every = if span <= 60 { 10 } else { 180 };
    let ticks = (first..=last)
        .filter(|minute| minute.rem_euclid(tick_every) == 0)
        .map(|minute| {
            let at = x(minute) + unit / 2;
            let tick_end = baseline + 5;
            let label_y = baseline + 24;
            view! {
                <line x1=at x2=at y1=baseline y2=tick_end stroke-width="1" class="stroke-slate-400 dark:stroke-slate-500"/>
                <text x=at y=label_y text-anchor="middle" font-size="18" class="fill-slate-500 dark:fill-slate-400">{clock(minute)}</text>
            }
        })
        .collect_view();
    let series = data.series.clone();
    let columns = visible
        .into_iter()
        .map(|column| {
            let at = x(column.minute);
            let mut stacked = 0;
            let mut title = format!("{} UTC: {} event(s)", clock(column.minute), thousands(column.total));
            let bars = column
                .counts
                .iter()
                .map(|(index, count)| {
                    let series = &series[*index];
                    title.push_str(&format!("\n{}: {}", series.name, thousands(*count)));
                    let bar_top = y(stacked + count);
                    let bar_height = (y(stacked) - bar_top).max(1);
                    stacked += count;
                    view! {
                        <rect x=at + bar_offset y=bar_top width=bar_width height=bar_height fill=series.color.clone()
                              data-type=series.name.clone() data-count=count.to_string()/>
                    }
                })
                .collect_view();
            let hit_x = at + hit_offset;
            view! {
                <g data-testid="chart-column" data-minute=column.minute.to_string()>
                    <title>{title}</title>
                    {bars}
                    <rect x=hit_x y=TOP width=hit_width height=PLOT_HEIGHT fill="transparent"/>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg viewBox=format!("0 0 {width} {height}") class="h-auto w-full" role="img" data-span=span.to_string()
             aria-label=format!("Events per minute by event type over the last {span} minutes")>
            {grid}
            <line x1=LEFT x2=LEFT y1=TOP y2=baseline stroke-width="1" class="stroke-slate-300 dark:stroke-slate-600"/>
            {ticks}
            {columns}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(minute: i64, event_type: &str, count: i64) -> (i64, String, i64) {
        (minute, event_type.to_string(), count)
    }

    #[test]
    fn buckets_the_last_24_hours() {
        let now = 1_000_000;
        let rows = vec![
            row(now - CHART_MINUTES, "TOO_OLD", 9),
            row(now - 1439, "NEW_TAG", 1),
            row(now - 5, "NEW_TIME_ENTRY", 2),
            row(now - 5, "NEW_TAG", 1),
            row(now, "NEW_TIME_ENTRY", 4),
            row(now + 1, "FUTURE", 1),
        ];
        let data = bucket(&rows, now);
        assert_eq!(data.first_minute, now - 1439);
        assert_eq!(data.minutes, 1440);
        let names: Vec<_> = data.series.iter().map(|s| (s.name.as_str(), s.total)).collect();
        assert_eq!(names, [("NEW_TIME_ENTRY", 6), ("NEW_TAG", 2)]);
        assert_eq!(data.series[0].color, PALETTE[0]);
        let columns: Vec<_> = data
            .columns
            .iter()
            .map(|c| (c.minute - now, c.counts.clone(), c.total))
            .collect();
        assert_eq!(
            columns,
            [
                (-1439, vec![(1, 1)], 1),
                (-5, vec![(0, 2), (1, 1)], 3),
                (0, vec![(0, 4)], 4)
            ]
        );
        assert_eq!(data.peak, 4);
        assert_eq!(data.total, 8);
    }

    #[test]
    fn rare_types_share_other() {
        let rows: Vec<_> = (0..10).map(|i| row(100, &format!("T{i}"), 10 - i)).collect();
        let data = bucket(&rows, 100);
        assert_eq!(data.series.len(), MAX_SERIES);
        let other = data.series.last().unwrap();
        assert_eq!(other.name, "Other (3 types)");
        assert_eq!(other.color, OTHER_COLOR);
        assert_eq!(other.members, ["T7", "T8", "T9"]);
        assert_eq!(other.total, 3 + 2 + 1);
        assert_eq!(data.columns.len(), 1);
        assert_eq!(data.columns[0].counts.last(), Some(&(MAX_SERIES - 1, 6)));
        assert_eq!(data.columns[0].total, 55);
    }

    #[test]
    fn empty() {
        let data = bucket(&[], 50);
        assert!(data.series.is_empty() && data.columns.is_empty());
        assert_eq!((data.peak, data.total), (0, 0));
    }

    #[test]
    fn axis() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(1), 1);
        assert_eq!(nice_ceiling(3), 5);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(11), 20);
        assert_eq!(nice_ceiling(2001), 5000);
        assert_eq!(clock(0), "00:00");
        assert_eq!(clock(29_407_545), "21:45");
        assert_eq!(clock(-1), "23:59");
    }
}
