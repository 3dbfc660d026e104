//! Leadscout's domain: the types every other crate speaks in, and the rules that decide whether
//! user input is acceptable. No I/O lives here, so everything is testable as plain values.

mod activity;
mod closing;
mod company;
mod custom;
mod email;
mod field_guess;
mod fields;
mod followup;
mod forecast;
mod freemail;
mod ids;
mod lead;
mod provider;
mod report;
mod research;
mod run;
mod search;
mod settings;
mod stage;
mod time;
mod validation;
mod view;

pub use activity::{
    Activity, ActivityDraft, ActivityKind, CallOutcome, LogActivity, LoggedActivity, NewActivity,
    MAX_NOTE_CHARS,
};
pub use closing::{LostReason, NewLostReason, MAX_LOST_NOTE_CHARS};
pub use company::{
    canonical_domain, domain_for_display, email_company_domain, registrable_domain,
    research_domain, Company, Proposal, Provenance, SocialLink,
};
pub use custom::{
    check_custom_value, normalize_choices, normalize_field_name, normalize_number, CustomField,
    CustomFieldEdit, CustomFieldError, CustomFieldId, CustomValue, FieldKind, NewCustomField,
    SetCustomValue,
};
pub use email::{
    mailto, CitedFact, DraftRequest, DraftSend, DraftSentence, EmailDraft, EmailKind, SentDraft,
    MAX_DRAFT_BODY_CHARS, MAX_SUBJECT_CHARS,
};
pub use field_guess::{KindGuess, SuggestedField, MAX_GUESSED_CHOICES};
pub use fields::{normalize_phone_in, normalize_tags, MAX_TAGS};
pub use followup::{
    add_days, due_instant, minutes_of, missed_message, FixedOffset, FollowUp, FollowUpDraft,
    FollowUpInput, LocalZone, ResearchedLead, Snooze, StaleLead, StaleRule, TodayView,
    MAX_STALE_DAYS, MORNING,
};
pub use freemail::is_mailbox_provider;
pub use ids::{ActivityId, CompanyId, LeadId, PipelineId, RunId, StageId, StageRunId};
pub use lead::{Duplicates, FieldValue, Lead, LeadDetail, LeadDraft, LeadEdit, NewLead};
pub use provider::{ModelProvider, UnknownProvider};
pub use research::{
    CompanyProfile, CompanyResearch, FactView, GroundedView, GroundingView, InsightsView,
    LayersView, ModelCallView, SignalView, SourceView, TechItem,
};
pub use run::{
    CostLedger, RunChanges, RunEvent, RunHistory, RunResult, RunStatus, RunSummary, RunTrigger,
    StepAttempt, StepKey,
};
pub use search::{fold, fts_query, snippet, SearchHit, SearchKind, MATCH_END, MATCH_START};
pub use settings::{
    Budget, ModelSettings, ModelTimeouts, MyProfile, Settings, MAX_WORKERS, TIMEOUT_SECONDS,
};
pub use stage::{
    check_stage_probability, normalize_pipeline_name, normalize_stage_color, normalize_stage_name,
    NewPipeline, NewStage, Pipeline, PipelineStages, Stage, StageEdit, StageInputError, StageKind,
    NEW_PIPELINE_STAGES, STAGE_PALETTE,
};
pub use time::{Clock, SystemClock, Timestamp};
pub use validation::{FieldError, LeadField};
mod board;
pub use board::{Board, BoardColumn, BoardView, Card, CardColumn, MoneyTotal};
pub use forecast::{forecast, Forecast, ForecastDeal, MonthForecast, StageForecast, Weighing};
pub use report::{
    reports, ClosedGroup, FitBucket, FitGroup, FitOutcome, FurthestGroup, LabelGroup, MonthOutcome,
    RateRow, ReportData, Reports, StageConversion, StageDuration, StageMove, StageStays,
};
pub use view::{
    CustomCondition, CustomMatches, DueFilter, NewView, SavedView, ViewFilter, ViewId,
    ViewInputError, MAX_CUSTOM_CONDITIONS,
};
