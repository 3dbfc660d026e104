//! The forecast: what the open pipeline is worth once each deal is weighed by its stage's win
//! probability, per stage, in total and by the month each deal is expected to close.
//!
//! Money stays in minor units and per currency (deals in euros and dollars are never added
//! together). A group's weighted value is `Σ value × probability / 100` over its deals, rounded
//! half up once at the end, so a group of deals is never worth less than the sum of its parts
//! by accumulated rounding.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{MoneyTotal, Stage, StageId, StageKind};

/// Deals as the forecast sees them: one deal, or several in the same stage and currency
/// expected to close in the same month (the store groups them in SQL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastDeal {
    pub stage_id: StageId,
    /// How many deals (leads) this row stands for, with a deal value or not.
    pub deals: u32,
    /// Their deal values added up, in minor units; `None` when none of them has one (counted,
    /// worth nothing).
    pub value: Option<i128>,
    pub currency: String,
    /// `YYYY-MM-DD`, or `YYYY-MM`: only the month counts.
    pub expected_close: Option<String>,
}

/// Sums per currency of `value × probability` (percent), weighed and rounded on demand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Weighing {
    sums: Vec<(String, i128, i128)>,
}

impl Weighing {
    /// Adds a deal: its value and its value times `probability` percent.
    pub fn add(&mut self, currency: &str, value: i64, probability: u8) {
        self.add_sum(currency, i128::from(value), probability);
    }

    /// Adds deals of one currency and probability at once: their values added up. Weighing is
    /// linear, so this equals adding them one by one.
    pub fn add_sum(&mut self, currency: &str, value: i128, probability: u8) {
        let weighted = value * i128::from(probability);
        match self.sums.iter_mut().find(|(c, _, _)| c == currency) {
            Some((_, v, w)) => {
                *v += value;
                *w += weighted;
            }
            None => self.sums.push((currency.to_owned(), value, weighted)),
        }
    }

    /// The plain sums, largest first.
    pub fn totals(&self) -> Vec<MoneyTotal> {
        sorted(self.sums.iter().map(|(c, v, _)| (c, *v)))
    }

    /// The weighted sums (rounded half up to a minor unit), largest first.
    pub fn weighted(&self) -> Vec<MoneyTotal> {
        sorted(self.sums.iter().map(|(c, _, w)| (c, (w + 50) / 100)))
    }
}

fn sorted<'a>(sums: impl Iterator<Item = (&'a String, i128)>) -> Vec<MoneyTotal> {
    let mut totals: Vec<MoneyTotal> = sums
        .map(|(currency, amount)| MoneyTotal {
            currency: currency.clone(),
            amount: i64::try_from(amount).unwrap_or(i64::MAX),
        })
        .collect();
    totals.sort_by(|a, b| {
        b.amount
            .cmp(&a.amount)
            .then_with(|| a.currency.cmp(&b.currency))
    });
    totals
}

/// One stage's share of the forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StageForecast {
    pub stage_id: StageId,
    pub name: String,
    pub kind: StageKind,
    pub probability: u8,
    /// Leads in the stage (with a deal value or not).
    pub deals: u32,
    pub value: Vec<MoneyTotal>,
    pub weighted: Vec<MoneyTotal>,
}

/// The weighted value of the open deals expected to close in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MonthForecast {
    /// `YYYY-MM`; `None` for the deals without an expected close date.
    pub month: Option<String>,
    pub deals: u32,
    pub value: Vec<MoneyTotal>,
    pub weighted: Vec<MoneyTotal>,
}

/// The whole forecast: every stage in board order, the open pipeline's weighted total, and
/// the open pipeline by expected month of closing (earliest first, undated last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Forecast {
    pub stages: Vec<StageForecast>,
    /// Open stages only: won deals are no longer a forecast and lost ones are worth nothing.
    pub open_value: Vec<MoneyTotal>,
    pub open_weighted: Vec<MoneyTotal>,
    pub months: Vec<MonthForecast>,
}

/// Computes the forecast. `stages` in board order; deals in a stage not listed are ignored.
pub fn forecast(stages: &[Stage], deals: &[ForecastDeal]) -> Forecast {
    let mut per_stage: Vec<(u32, Weighing)> = vec![(0, Weighing::default()); stages.len()];
    let mut open = Weighing::default();
    let mut months: Vec<(Option<String>, u32, Weighing)> = Vec::new();
    for deal in deals {
        let Some(index) = stages.iter().position(|s| s.id == deal.stage_id) else {
            continue;
        };
        let stage = &stages[index];
        let (count, weighing) = &mut per_stage[index];
        *count += deal.deals;
        if stage.kind != StageKind::Open {
            if let Some(value) = deal.value {
                weighing.add_sum(&deal.currency, value, stage.probability);
            }
            continue;
        }
        let month = deal
            .expected_close
            .as_deref()
            .and_then(|d| d.get(..7))
            .map(str::to_owned);
        let slot = match months.iter().position(|(m, _, _)| *m == month) {
            Some(i) => i,
            None => {
                months.push((month, 0, Weighing::default()));
                months.len() - 1
            }
        };
        months[slot].1 += deal.deals;
        if let Some(value) = deal.value {
            weighing.add_sum(&deal.currency, value, stage.probability);
            open.add_sum(&deal.currency, value, stage.probability);
            months[slot]
                .2
                .add_sum(&deal.currency, value, stage.probability);
        }
    }
    // Dated months in order, then the undated deals.
    months.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    Forecast {
        stages: stages
            .iter()
            .zip(per_stage)
            .map(|(stage, (deals, weighing))| StageForecast {
                stage_id: stage.id,
                name: stage.name.clone(),
                kind: stage.kind,
                probability: stage.probability,
                deals,
                value: weighing.totals(),
                weighted: weighing.weighted(),
            })
            .collect(),
        open_value: open.totals(),
        open_weighted: open.weighted(),
        months: months
            .into_iter()
            .map(|(month, deals, weighing)| MonthForecast {
                month,
                deals,
                value: weighing.totals(),
                weighted: weighing.weighted(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(id: i64, kind: StageKind, probability: u8) -> Stage {
        Stage {
            id: StageId(id),
            pipeline_id: crate::PipelineId(1),
            name: format!("S{id}"),
            kind,
            color: "#64748b".into(),
            position: id,
            probability,
        }
    }

    fn deal(stage: i64, value: i64, currency: &str, close: Option<&str>) -> ForecastDeal {
        ForecastDeal {
            stage_id: StageId(stage),
            deals: 1,
            value: Some(value.into()),
            currency: currency.into(),
            expected_close: close.map(str::to_owned),
        }
    }

    fn money(amount: i64, currency: &str) -> MoneyTotal {
        MoneyTotal {
            currency: currency.into(),
            amount,
        }
    }

    #[test]
    fn weighs_each_stage_and_the_open_total_by_probability() {
        let stages = [
            stage(1, StageKind::Open, 10),
            stage(2, StageKind::Open, 60),
            stage(3, StageKind::Won, 100),
            stage(4, StageKind::Lost, 0),
        ];
        // By hand: stage 1 holds $1,000.00 + $250.00 at 10% = $125.00; stage 2 holds
        // $3,333.33 at 60% = $1,999.998, rounded to $2,000.00, and €500.00 at 60% = €300.00.
        let deals = [
            deal(1, 100_000, "USD", Some("2027-01-15")),
            deal(1, 25_000, "USD", None),
            deal(2, 333_333, "USD", Some("2027-01-31")),
            deal(2, 50_000, "EUR", Some("2026-12-01")),
            deal(3, 900_000, "USD", Some("2026-11-02")),
            deal(4, 700_000, "USD", Some("2026-12-02")),
            ForecastDeal {
                stage_id: StageId(2),
                deals: 1,
                value: None,
                currency: "USD".into(),
                expected_close: None,
            },
        ];
        let f = forecast(&stages, &deals);
        assert_eq!(f.stages[0].deals, 2);
        assert_eq!(f.stages[0].value, vec![money(125_000, "USD")]);
        assert_eq!(f.stages[0].weighted, vec![money(12_500, "USD")]);
        assert_eq!(f.stages[1].deals, 3);
        assert_eq!(
            f.stages[1].weighted,
            vec![money(200_000, "USD"), money(30_000, "EUR")]
        );
        assert_eq!(f.stages[2].weighted, vec![money(900_000, "USD")]);
        assert_eq!(f.stages[3].weighted, vec![money(0, "USD")]);
        // Open only: $12,500 + $199,999.8 -> $2,125.00 (212,499.8 cents rounds up), €300.
        assert_eq!(
            f.open_weighted,
            vec![money(212_500, "USD"), money(30_000, "EUR")]
        );
        assert_eq!(
            f.open_value,
            vec![money(458_333, "USD"), money(50_000, "EUR")]
        );
        let months: Vec<(Option<&str>, u32, Vec<MoneyTotal>)> = f
            .months
            .iter()
            .map(|m| (m.month.as_deref(), m.deals, m.weighted.clone()))
            .collect();
        assert_eq!(
            months,
            vec![
                (Some("2026-12"), 1, vec![money(30_000, "EUR")]),
                // $100 at 10% + $3,333.33 at 60% = 10,000 + 199,999.8 -> 210,000 cents.
                (Some("2027-01"), 2, vec![money(210_000, "USD")]),
                (None, 2, vec![money(2_500, "USD")]),
            ]
        );
    }

    #[test]
    fn rounds_half_up_once_per_group() {
        let mut w = Weighing::default();
        // 1 cent at 50% is half a cent: rounds up. Three of them are 1.5 cents: 2, not 3.
        w.add("USD", 1, 50);
        assert_eq!(w.weighted(), vec![money(1, "USD")]);
        w.add("USD", 1, 50);
        w.add("USD", 1, 50);
        assert_eq!(w.weighted(), vec![money(2, "USD")]);
        assert_eq!(w.totals(), vec![money(3, "USD")]);
    }
}
