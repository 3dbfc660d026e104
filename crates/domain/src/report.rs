//! The reports page, computed from plain values: the stages and the live leads grouped into a
//! few thousand rows (by stage, currency, month, source, tag, fit score and furthest stage
//! reached; the store lets SQLite group them). No I/O: the store loads the inputs.
//!
//! - **Won and lost per month**: a closed lead counts in the month it last entered the stage
//!   it is in (local time, by the offset the window gives).
//! - **Conversion**: the stages that are not lost, in board order, form a funnel. A lead has
//!   *reached* a stage when it was ever in it or in a stage after it (skipping a stage still
//!   passes it); the conversion from one stage to the next is the share of those that reached
//!   the first and reached the second too. Positions are today's: a lead's furthest stage is
//!   where that stage is on the board now.
//! - **Time in stage**: the average of finished stays (a lead entered the stage and later left
//!   it); a stay still going on is not counted, so a stage leads never leave has none.
//! - **Win rate** (by source, by tag): won ÷ (won + lost) among closed leads.
//! - **Fit against outcome**: the fit scores of won leads against those of lost ones.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::forecast::{forecast, Forecast, ForecastDeal, Weighing};
use crate::time::DAY_MS;
use crate::{LeadId, MoneyTotal, Stage, StageId, StageKind, Timestamp};

/// Rows kept in each win-rate table, the most closed leads first.
pub const RATE_ROWS: usize = 30;

/// What the reports are computed from: the live leads grouped by SQL into a few thousand rows
/// (the store reads them in one snapshot), so no single lead crosses into Rust.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportData {
    /// Every live lead, grouped by stage, currency and expected month of closing.
    pub deals: Vec<ForecastDeal>,
    /// Closed leads (in a won or lost stage), by the local day they entered it and currency.
    pub closed: Vec<ClosedGroup>,
    /// Live leads by the board position of the furthest stage that is not lost they reached.
    pub furthest: Vec<FurthestGroup>,
    /// Finished stays per stage.
    pub stays: Vec<StageStays>,
    /// Closed leads by source (`None`: no source) and closed stage.
    pub by_source: Vec<LabelGroup>,
    /// Closed leads' tags by tag and closed stage (a lead counts once under each of its tags).
    pub by_tag: Vec<LabelGroup>,
    /// Closed leads by closed stage and verified fit score (`None`: never scored).
    pub fit: Vec<FitGroup>,
}

/// Closed leads that entered their (won or lost) stage on the same day, in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedGroup {
    pub stage_id: StageId,
    /// Days since 1970-01-01 on the user's clock (the store shifts by the window's offset).
    pub day: i64,
    pub currency: String,
    pub leads: u32,
    /// Their deal values added up (a lead without one adds nothing), in minor units.
    pub value: i128,
}

/// Leads whose furthest stage reached sits at `position` on the board today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FurthestGroup {
    pub position: i64,
    pub leads: u32,
}

/// Closed leads in one closed stage with one source or tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelGroup {
    pub label: Option<String>,
    pub stage_id: StageId,
    pub leads: u32,
}

/// Closed leads in one closed stage with one fit score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FitGroup {
    pub stage_id: StageId,
    pub fit_score: Option<u8>,
    pub leads: u32,
}

/// The finished stays in one stage: a lead entered it and later left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageStays {
    pub stage_id: StageId,
    pub stays: u32,
    /// Their lengths added up, in milliseconds.
    pub total_ms: i64,
}

/// A lead entering a stage: from `from` (`None` when the lead was created there) into `to`
/// (`None` for a stage deleted since).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageMove {
    pub lead_id: LeadId,
    pub from: Option<StageId>,
    pub to: Option<StageId>,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MonthOutcome {
    /// `YYYY-MM`.
    pub month: String,
    pub won: u32,
    pub lost: u32,
    pub won_value: Vec<MoneyTotal>,
    pub lost_value: Vec<MoneyTotal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StageConversion {
    pub from_stage: StageId,
    pub from_name: String,
    pub to_stage: StageId,
    pub to_name: String,
    /// Leads that reached the first stage.
    pub reached_from: u32,
    /// Of those, the ones that reached the second.
    pub reached_to: u32,
    /// Percent, one decimal; `None` when no lead reached the first stage.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StageDuration {
    pub stage_id: StageId,
    pub name: String,
    /// Finished stays in the stage.
    pub stays: u32,
    /// Their average length in milliseconds; `None` without any.
    pub average_ms: Option<f64>,
}

/// Won and lost leads for one source or one tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RateRow {
    /// The source or tag; `None` for leads without a source.
    pub label: Option<String>,
    pub won: u32,
    pub lost: u32,
    /// Percent won of those closed, one decimal.
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FitBucket {
    /// Inclusive bounds of the scores in this bucket.
    pub from: u8,
    pub to: u8,
    pub won: u32,
    pub lost: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FitOutcome {
    /// Closed leads with a fit score.
    pub won_scored: u32,
    pub lost_scored: u32,
    /// Closed leads research never scored (the store reads fit scores of closed leads only).
    pub won_unscored: u32,
    pub lost_unscored: u32,
    /// One decimal; `None` without scored leads.
    pub won_average: Option<f64>,
    pub lost_average: Option<f64>,
    pub buckets: Vec<FitBucket>,
}

/// Everything the reports page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Reports {
    /// Pipeline value and weighted value by stage, and the forecast by month.
    pub forecast: Forecast,
    /// Oldest month first; only months with a won or lost lead.
    pub outcomes: Vec<MonthOutcome>,
    pub conversion: Vec<StageConversion>,
    pub durations: Vec<StageDuration>,
    /// At most [`RATE_ROWS`] each, the most closed leads first.
    pub by_source: Vec<RateRow>,
    pub by_tag: Vec<RateRow>,
    pub fit: FitOutcome,
}

/// `part` of `whole` in percent, one decimal.
fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

/// Computes every report. `stages` in board order; `data` grouped by the store.
pub fn reports(stages: &[Stage], data: &ReportData) -> Reports {
    let stage_index: HashMap<StageId, usize> =
        stages.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let kind_of = |id: StageId| stage_index.get(&id).map(|&i| stages[i].kind);
    // Won (`true`) or lost (`false`); `None` for an open stage or one not listed.
    let won = |id: StageId| match kind_of(id) {
        Some(StageKind::Won) => Some(true),
        Some(StageKind::Lost) => Some(false),
        _ => None,
    };

    // Won and lost per month.
    let mut months: HashMap<String, (u32, u32, Weighing, Weighing)> = HashMap::new();
    for group in &data.closed {
        let Some(won) = won(group.stage_id) else {
            continue;
        };
        let date = Timestamp(group.day.saturating_mul(DAY_MS)).date();
        let month = date.get(..7).unwrap_or(&date).to_owned();
        let slot = months.entry(month).or_default();
        if won {
            slot.0 += group.leads;
            slot.2.add_sum(&group.currency, group.value, 100);
        } else {
            slot.1 += group.leads;
            slot.3.add_sum(&group.currency, group.value, 100);
        }
    }
    let mut outcomes: Vec<MonthOutcome> = months
        .into_iter()
        .map(|(month, (won, lost, won_value, lost_value))| MonthOutcome {
            month,
            won,
            lost,
            won_value: won_value.totals(),
            lost_value: lost_value.totals(),
        })
        .collect();
    outcomes.sort_by(|a, b| a.month.cmp(&b.month));

    // Conversion through the funnel of stages that are not lost.
    let funnel: Vec<&Stage> = stages
        .iter()
        .filter(|s| s.kind != StageKind::Lost)
        .collect();
    let mut furthest_count = vec![0u32; funnel.len()];
    for group in &data.furthest {
        // The funnel stage at that position (the last one before it, if it has gone since).
        if let Some(f) = funnel.iter().rposition(|s| s.position <= group.position) {
            furthest_count[f] += group.leads;
        }
    }
    // reached[i]: leads whose furthest stage is i or later.
    let mut reached = vec![0u32; funnel.len()];
    let mut running = 0;
    for i in (0..funnel.len()).rev() {
        running += furthest_count[i];
        reached[i] = running;
    }
    let conversion = funnel
        .windows(2)
        .enumerate()
        .map(|(i, pair)| StageConversion {
            from_stage: pair[0].id,
            from_name: pair[0].name.clone(),
            to_stage: pair[1].id,
            to_name: pair[1].name.clone(),
            reached_from: reached[i],
            reached_to: reached[i + 1],
            rate: percent(reached[i + 1], reached[i]),
        })
        .collect();

    // Time in each stage: finished stays.
    let durations = stages
        .iter()
        .map(|stage| {
            let (count, total) = data
                .stays
                .iter()
                .filter(|s| s.stage_id == stage.id)
                .fold((0u32, 0i64), |(c, t), s| {
                    (c + s.stays, t.saturating_add(s.total_ms))
                });
            StageDuration {
                stage_id: stage.id,
                name: stage.name.clone(),
                stays: count,
                // Milliseconds fit an f64 exactly far beyond any real stay.
                average_ms: (count > 0).then(|| (total as f64 / f64::from(count)).round()),
            }
        })
        .collect();

    // Win rates and fit scores among closed leads.
    let tally = |groups: &[LabelGroup]| {
        let mut rows: HashMap<Option<&str>, (u32, u32)> = HashMap::new();
        for group in groups {
            let Some(won) = won(group.stage_id) else {
                continue;
            };
            let slot = rows.entry(group.label.as_deref()).or_default();
            if won {
                slot.0 += group.leads;
            } else {
                slot.1 += group.leads;
            }
        }
        rate_rows(rows.into_iter().map(|(k, v)| (k.map(str::to_owned), v)))
    };
    let mut fit = FitTally::default();
    for group in &data.fit {
        if let Some(won) = won(group.stage_id) {
            fit.add(won, group.fit_score, group.leads);
        }
    }

    Reports {
        forecast: forecast(stages, &data.deals),
        outcomes,
        conversion,
        durations,
        by_source: tally(&data.by_source),
        by_tag: tally(&data.by_tag),
        fit: fit.finish(),
    }
}

fn rate_rows(rows: impl Iterator<Item = (Option<String>, (u32, u32))>) -> Vec<RateRow> {
    let mut rows: Vec<RateRow> = rows
        .map(|(label, (won, lost))| RateRow {
            label,
            won,
            lost,
            rate: percent(won, won + lost).unwrap_or(0.0),
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.won + b.lost)
            .cmp(&(a.won + a.lost))
            .then_with(|| a.label.cmp(&b.label))
    });
    rows.truncate(RATE_ROWS);
    rows
}

const FIT_BUCKETS: [(u8, u8); 5] = [(0, 19), (20, 39), (40, 59), (60, 79), (80, 100)];

#[derive(Default)]
struct FitTally {
    scored: [u32; 2],
    unscored: [u32; 2],
    sum: [u64; 2],
    buckets: [[u32; 2]; 5],
}

impl FitTally {
    fn add(&mut self, won: bool, score: Option<u8>, leads: u32) {
        let side = usize::from(!won);
        let Some(score) = score else {
            self.unscored[side] += leads;
            return;
        };
        self.scored[side] += leads;
        self.sum[side] += u64::from(score) * u64::from(leads);
        let bucket = FIT_BUCKETS
            .iter()
            .position(|(_, to)| score <= *to)
            .unwrap_or(FIT_BUCKETS.len() - 1);
        self.buckets[bucket][side] += leads;
    }

    fn finish(self) -> FitOutcome {
        let average = |side: usize| {
            (self.scored[side] > 0).then(|| {
                (self.sum[side] as f64 * 10.0 / f64::from(self.scored[side])).round() / 10.0
            })
        };
        FitOutcome {
            won_scored: self.scored[0],
            lost_scored: self.scored[1],
            won_unscored: self.unscored[0],
            lost_unscored: self.unscored[1],
            won_average: average(0),
            lost_average: average(1),
            buckets: FIT_BUCKETS
                .iter()
                .zip(self.buckets)
                .map(|(&(from, to), [won, lost])| FitBucket {
                    from,
                    to,
                    won,
                    lost,
                })
                .collect(),
        }
    }
}
