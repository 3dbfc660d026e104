//! The reports page, computed from plain values: the leads, the stages and the record of stage
//! moves (each time a lead entered a stage, with when). No I/O: the store loads the inputs.
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
use crate::{LeadId, MoneyTotal, Stage, StageId, StageKind, Timestamp};

/// Rows kept in each win-rate table, the most closed leads first.
pub const RATE_ROWS: usize = 30;

/// One live lead, as the reports read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLead {
    pub id: LeadId,
    pub stage_id: StageId,
    pub deal_value: Option<i64>,
    pub currency: String,
    pub source: Option<String>,
    pub tags: Vec<String>,
    pub fit_score: Option<u8>,
    pub expected_close: Option<String>,
    /// When a closed lead entered the stage it is in (from the record of stage moves); the store
    /// reads it for won and lost leads only.
    pub entered_at: Option<Timestamp>,
    /// The board position of the furthest stage that is not lost the lead was ever in.
    pub furthest_position: Option<i64>,
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

/// Computes every report. `stages` in board order; `stays` per stage (the store sums them from
/// the record of moves); `offset_minutes` is the window's offset from UTC (east positive), so a
/// month is the user's month.
pub fn reports(
    stages: &[Stage],
    leads: &[ReportLead],
    stays: &[StageStays],
    offset_minutes: i32,
) -> Reports {
    let stage_index: HashMap<StageId, usize> =
        stages.iter().enumerate().map(|(i, s)| (s.id, i)).collect();

    let deals: Vec<ForecastDeal> = leads
        .iter()
        .map(|l| ForecastDeal {
            stage_id: l.stage_id,
            value: l.deal_value,
            currency: l.currency.clone(),
            expected_close: l.expected_close.clone(),
        })
        .collect();

    let kind_of = |id: StageId| stage_index.get(&id).map(|&i| stages[i].kind);
    let offset_ms = i64::from(offset_minutes) * 60_000;

    // Won and lost per month.
    let mut months: HashMap<String, (u32, u32, Weighing, Weighing)> = HashMap::new();
    for lead in leads {
        let kind = kind_of(lead.stage_id);
        if !matches!(kind, Some(StageKind::Won | StageKind::Lost)) {
            continue;
        }
        let Some(entered) = lead.entered_at else {
            continue;
        };
        let date = Timestamp(entered.0.saturating_add(offset_ms)).date();
        let month = date.get(..7).unwrap_or(&date).to_owned();
        let slot = months.entry(month).or_default();
        let value = lead.deal_value.unwrap_or(0);
        if kind == Some(StageKind::Won) {
            slot.0 += 1;
            slot.2.add(&lead.currency, value, 100);
        } else {
            slot.1 += 1;
            slot.3.add(&lead.currency, value, 100);
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
    for lead in leads {
        let current = stage_index
            .get(&lead.stage_id)
            .map(|&i| &stages[i])
            .filter(|s| s.kind != StageKind::Lost)
            .map(|s| s.position);
        let Some(furthest) = current.max(lead.furthest_position) else {
            continue;
        };
        // The funnel stage at that position (the last one before it, if it has gone since).
        if let Some(f) = funnel.iter().rposition(|s| s.position <= furthest) {
            furthest_count[f] += 1;
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
            let (count, total) = stays
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
    let mut by_source: HashMap<Option<&str>, (u32, u32)> = HashMap::new();
    let mut by_tag: HashMap<&str, (u32, u32)> = HashMap::new();
    let mut fit = FitTally::default();
    for lead in leads {
        let won = match kind_of(lead.stage_id) {
            Some(StageKind::Won) => true,
            Some(StageKind::Lost) => false,
            _ => continue,
        };
        let bump = |slot: &mut (u32, u32)| {
            if won {
                slot.0 += 1;
            } else {
                slot.1 += 1;
            }
        };
        bump(by_source.entry(lead.source.as_deref()).or_default());
        for tag in &lead.tags {
            bump(by_tag.entry(tag.as_str()).or_default());
        }
        fit.add(won, lead.fit_score);
    }

    Reports {
        forecast: forecast(stages, &deals),
        outcomes,
        conversion,
        durations,
        by_source: rate_rows(
            by_source
                .into_iter()
                .map(|(k, v)| (k.map(str::to_owned), v)),
        ),
        by_tag: rate_rows(by_tag.into_iter().map(|(k, v)| (Some(k.to_owned()), v))),
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
    fn add(&mut self, won: bool, score: Option<u8>) {
        let side = usize::from(!won);
        let Some(score) = score else {
            self.unscored[side] += 1;
            return;
        };
        self.scored[side] += 1;
        self.sum[side] += u64::from(score);
        let bucket = FIT_BUCKETS
            .iter()
            .position(|(_, to)| score <= *to)
            .unwrap_or(FIT_BUCKETS.len() - 1);
        self.buckets[bucket][side] += 1;
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
