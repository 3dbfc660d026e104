//! Typed row ids, so a stage id can never be passed where a lead id is expected.

use serde::{Deserialize, Serialize};
use specta::Type;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// A lead (a person the salesperson is working) by its row id.
    LeadId
);
typed_id!(
    /// A pipeline stage by its row id.
    StageId
);
typed_id!(
    /// A pipeline (a board of its own stages: new business, renewals) by its row id.
    PipelineId
);
typed_id!(
    /// A company (shared by every lead at its domain) by its row id.
    CompanyId
);
typed_id!(
    /// A timeline entry (note, call, stage change...) by its row id.
    ActivityId
);
typed_id!(
    /// A background research run by its row id.
    RunId
);
typed_id!(
    /// One attempt of one stage of a run.
    StageRunId
);
