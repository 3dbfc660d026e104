//! More than one pipeline against real SQLite files: each with its own stages, leads moved
//! between them, imports into one, deleting one, and reports and forecasts kept apart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_domain::{
    Duplicates, LeadEdit, LeadField, LeadId, NewLead, PipelineId, Stage, StageId, StageKind,
    Timestamp,
};
use leadscout_store::{ImportLead, Placement, Store, StoreError, DATABASE_FILE};

const NOW: Timestamp = Timestamp(1_764_000_000_000);

async fn open() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    (store, dir)
}

async fn add(store: &Store, name: &str, stage: Option<StageId>) -> LeadId {
    let draft = NewLead {
        full_name: name.into(),
        email: None,
        company_name: None,
        website: None,
        stage_id: stage,
    }
    .validate()
    .unwrap();
    store.create_lead(&draft, NOW).await.unwrap().id
}

async fn stages_of(store: &Store, pipeline: PipelineId) -> Vec<Stage> {
    let stages = store.stages().await.unwrap();
    stages
        .into_iter()
        .filter(|s| s.pipeline_id == pipeline)
        .collect()
}

async fn names_of(store: &Store, pipeline: PipelineId) -> Vec<String> {
    stages_of(store, pipeline)
        .await
        .into_iter()
        .map(|s| s.name)
        .collect()
}

async fn stage(store: &Store, pipeline: PipelineId, name: &str) -> StageId {
    stages_of(store, pipeline)
        .await
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
        .id
}

/// Each pipeline's leads on the board, by name, stage by stage.
async fn board_names(store: &Store, pipeline: PipelineId) -> Vec<(String, Vec<String>)> {
    store
        .board()
        .await
        .unwrap()
        .columns
        .into_iter()
        .filter(|c| c.stage.pipeline_id == pipeline)
        .map(|c| {
            (
                c.stage.name,
                c.leads.into_iter().map(|l| l.full_name).collect(),
            )
        })
        .collect()
}

fn deal(value: &str) -> leadscout_domain::FieldValue {
    LeadEdit {
        field: LeadField::DealValue,
        value: Some(value.into()),
    }
    .validate()
    .unwrap()
}

#[tokio::test]
async fn a_new_database_has_one_pipeline_holding_the_default_stages() {
    let (s, _dir) = open().await;
    let pipelines = s.pipelines().await.unwrap();
    assert_eq!(pipelines.len(), 1);
    assert_eq!(pipelines[0].name, "Sales");
    let sales = pipelines[0].id;
    assert_eq!(
        names_of(&s, sales).await,
        ["New", "Contacted", "Qualified", "Proposal", "Won", "Lost"]
    );
    let board = s.board().await.unwrap();
    assert_eq!(board.pipelines, pipelines);
    assert!(board.columns.iter().all(|c| c.stage.pipeline_id == sales));
}

#[tokio::test]
async fn pipelines_have_stages_of_their_own() {
    let (s, _dir) = open().await;
    let sales = s.pipelines().await.unwrap()[0].id;

    // Without a pipeline to copy: Open, Won and Lost with their kinds' probabilities.
    let renewals = s.create_pipeline("Renewals", None, NOW).await.unwrap();
    assert_eq!(renewals.position, 1);
    let fresh = stages_of(&s, renewals.id).await;
    let shape: Vec<(&str, StageKind, u8, i64)> = fresh
        .iter()
        .map(|s| (s.name.as_str(), s.kind, s.probability, s.position))
        .collect();
    assert_eq!(
        shape,
        [
            ("Open", StageKind::Open, 50, 0),
            ("Won", StageKind::Won, 100, 1),
            ("Lost", StageKind::Lost, 0, 2)
        ]
    );

    // A copy takes names, kinds, colours and probabilities, in order.
    let qualified = stage(&s, sales, "Qualified").await;
    s.edit_stage(qualified, None, None, Some("#123456"), Some(35), NOW)
        .await
        .unwrap();
    let partners = s
        .create_pipeline("Partners", Some(sales), NOW)
        .await
        .unwrap();
    let (a, b) = (stages_of(&s, sales).await, stages_of(&s, partners.id).await);
    assert_eq!(a.len(), b.len());
    for (a, b) in a.iter().zip(&b) {
        assert_ne!(a.id, b.id);
        assert_eq!(
            (&a.name, a.kind, &a.color, a.probability, a.position),
            (&b.name, b.kind, &b.color, b.probability, b.position)
        );
    }

    // Names: unique among pipelines (any case), and stage names unique within a pipeline only.
    assert!(matches!(
        s.create_pipeline("renewals", None, NOW).await,
        Err(StoreError::Conflict(m)) if m == "There is already a pipeline called renewals."
    ));
    assert!(matches!(
        s.rename_pipeline(partners.id, "SALES", NOW).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        s.rename_pipeline(partners.id, "Channel", NOW)
            .await
            .unwrap()
            .name,
        "Channel"
    );
    assert!(matches!(
        s.create_stage_in(Some(renewals.id), "won", StageKind::Won, None, NOW)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let demo = s
        .create_stage_in(Some(renewals.id), "Demo", StageKind::Open, None, NOW)
        .await
        .unwrap();
    assert_eq!((demo.pipeline_id, demo.position), (renewals.id, 3));
    // The same name in another pipeline is fine, and goes at that pipeline's end.
    let other = s
        .create_stage_in(Some(sales), "Demo", StageKind::Open, None, NOW)
        .await
        .unwrap();
    assert_eq!((other.pipeline_id, other.position), (sales, 6));
    // Renaming a stage to a name its own pipeline has is refused; another's is not.
    assert!(matches!(
        s.edit_stage(demo.id, Some("Open"), None, None, None, NOW)
            .await,
        Err(StoreError::Conflict(_))
    ));
    s.edit_stage(other.id, Some("Open"), None, None, None, NOW)
        .await
        .unwrap();
    assert!(matches!(
        s.create_stage_in(Some(PipelineId(99)), "X", StageKind::Open, None, NOW)
            .await,
        Err(StoreError::PipelineNotFound(PipelineId(99)))
    ));

    // Reordering is per pipeline: every stage of one, and none of another.
    let mut order: Vec<StageId> = stages_of(&s, renewals.id)
        .await
        .iter()
        .map(|s| s.id)
        .collect();
    order.reverse();
    s.reorder_stages(&order, NOW).await.unwrap();
    assert_eq!(
        names_of(&s, renewals.id).await,
        ["Demo", "Lost", "Won", "Open"]
    );
    assert_eq!(names_of(&s, sales).await[0], "New");
    order.push(qualified);
    assert!(matches!(
        s.reorder_stages(&order, NOW).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.reorder_stages(&[], NOW).await,
        Err(StoreError::Conflict(_))
    ));

    // The board lists pipelines in menu order and their stages pipeline by pipeline.
    let board = s.board().await.unwrap();
    let names: Vec<&str> = board.pipelines.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Sales", "Renewals", "Channel"]);
    let mut seen: Vec<PipelineId> = board.columns.iter().map(|c| c.stage.pipeline_id).collect();
    seen.dedup();
    assert_eq!(seen, [sales, renewals.id, partners.id]);
}

#[tokio::test]
async fn a_pipeline_keeps_a_stage_and_the_last_pipeline_cannot_go() {
    let (s, _dir) = open().await;
    let sales = s.pipelines().await.unwrap()[0].id;
    let renewals = s.create_pipeline("Renewals", None, NOW).await.unwrap();
    let (open, won, lost) = (
        stage(&s, renewals.id, "Open").await,
        stage(&s, renewals.id, "Won").await,
        stage(&s, renewals.id, "Lost").await,
    );
    s.delete_stage(won, open, NOW).await.unwrap();
    s.delete_stage(lost, open, NOW).await.unwrap();
    // The pipeline's last stage stays, even with somewhere in another pipeline to go.
    let new = stage(&s, sales, "New").await;
    assert!(matches!(
        s.delete_stage(open, new, NOW).await,
        Err(StoreError::Conflict(m)) if m.contains("delete the pipeline instead")
    ));
    // Sales' leads cannot be sent into Sales itself.
    assert!(matches!(
        s.delete_pipeline(sales, new, NOW).await,
        Err(StoreError::Conflict(_))
    ));
    s.delete_pipeline(renewals.id, new, NOW).await.unwrap();
    // Now Sales is alone: there is no stage of another pipeline to name.
    let pipelines = s.pipelines().await.unwrap();
    assert_eq!(pipelines.len(), 1);
    assert!(s.delete_pipeline(sales, new, NOW).await.is_err());
    assert!(matches!(
        s.delete_pipeline(PipelineId(42), new, NOW).await,
        Err(StoreError::PipelineNotFound(_))
    ));
}

#[tokio::test]
async fn leads_move_between_pipelines_and_deleting_one_keeps_its_leads() {
    let (s, _dir) = open().await;
    let sales = s.pipelines().await.unwrap()[0].id;
    let renewals = s
        .create_pipeline("Renewals", Some(sales), NOW)
        .await
        .unwrap();
    let r_new = stage(&s, renewals.id, "New").await;
    let r_won = stage(&s, renewals.id, "Won").await;

    let ada = add(&s, "Ada", None).await;
    let bob = add(&s, "Bob", Some(r_new)).await;
    let cy = add(&s, "Cy", Some(r_new)).await;
    // A lead with no stage goes to the first pipeline's first stage.
    assert_eq!(board_names(&s, sales).await[0].1, ["Ada"]);

    // Moving into another pipeline is a move to one of its stages.
    let moved = s
        .move_lead(
            ada,
            Placement {
                stage_id: r_won,
                before: None,
            },
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(moved.stage_id, r_won);
    assert!(moved.closed_at.is_some(), "a won stage closes the deal");
    assert!(board_names(&s, sales)
        .await
        .iter()
        .all(|(_, l)| l.is_empty()));
    let moves = s.stage_moves(ada).await.unwrap();
    assert_eq!(moves.last().unwrap().to, Some(r_won));

    // Deleting Renewals sends every lead, a deleted one too, to the named stage of Sales.
    s.delete_lead(cy, NOW).await.unwrap();
    let qualified = stage(&s, sales, "Qualified").await;
    s.delete_pipeline(renewals.id, qualified, NOW)
        .await
        .unwrap();
    assert!(s
        .pipelines()
        .await
        .unwrap()
        .iter()
        .all(|p| p.id != renewals.id));
    assert!(s
        .stages()
        .await
        .unwrap()
        .iter()
        .all(|st| st.pipeline_id == sales));
    let qualified_leads = board_names(&s, sales)
        .await
        .into_iter()
        .find(|(n, _)| n == "Qualified")
        .unwrap()
        .1;
    // Stage by stage in board order: New (Bob), then Won (Ada).
    assert_eq!(qualified_leads, ["Bob", "Ada"]);
    s.restore_lead(cy, NOW).await.unwrap();
    let restored = s.lead_detail(cy).await.unwrap();
    assert_eq!(restored.lead.stage_id, qualified);
    // Ada was won in Renewals; in an open stage of Sales her deal is open again.
    assert_eq!(s.lead_detail(ada).await.unwrap().lead.closed_at, None);
    let bob_timeline = s.activities(bob).await.unwrap();
    assert_eq!(
        bob_timeline[0].body,
        "Moved from Renewals · New to Sales · Qualified when the Renewals pipeline was deleted"
    );
}

#[tokio::test]
async fn an_import_goes_to_the_chosen_pipeline() {
    let (s, _dir) = open().await;
    let renewals = s.create_pipeline("Renewals", None, NOW).await.unwrap();
    let batch: Vec<ImportLead> = ["Ann", "Ben"]
        .iter()
        .map(|name| ImportLead {
            full_name: (*name).into(),
            values: Vec::new(),
            note: None,
            custom: Vec::new(),
        })
        .collect();
    s.import_leads_into(&batch, Duplicates::Create, Some(renewals.id), NOW)
        .await
        .unwrap();
    assert_eq!(board_names(&s, renewals.id).await[0].1, ["Ann", "Ben"]);
    s.import_leads(&batch[..1], Duplicates::Create, NOW)
        .await
        .unwrap();
    let sales = s.pipelines().await.unwrap()[0].id;
    assert_eq!(board_names(&s, sales).await[0].1, ["Ann"]);
    assert!(matches!(
        s.import_leads_into(&batch, Duplicates::Create, Some(PipelineId(9)), NOW)
            .await,
        Err(StoreError::PipelineNotFound(_))
    ));
}

#[tokio::test]
async fn reports_and_forecasts_are_per_pipeline() {
    let (s, _dir) = open().await;
    let sales = s.pipelines().await.unwrap()[0].id;
    let renewals = s.create_pipeline("Renewals", None, NOW).await.unwrap();
    let (r_open, r_won) = (
        stage(&s, renewals.id, "Open").await,
        stage(&s, renewals.id, "Won").await,
    );
    let s_new = stage(&s, sales, "New").await;
    let a = add(&s, "A", Some(s_new)).await;
    let b = add(&s, "B", Some(r_open)).await;
    let c = add(&s, "C", Some(r_open)).await;
    for (lead, value) in [(a, "1000"), (b, "200"), (c, "300")] {
        s.update_lead(lead, &deal(value), NOW).await.unwrap();
    }
    s.move_lead(
        c,
        Placement {
            stage_id: r_won,
            before: None,
        },
        NOW,
    )
    .await
    .unwrap();

    // Sales: A alone, at 10% of 1,000.
    let f = s.pipeline_forecast(Some(sales)).await.unwrap();
    assert_eq!(f.stages.len(), 6);
    assert_eq!(f.open_value[0].amount, 100_000);
    assert_eq!(f.open_weighted[0].amount, 10_000);
    assert_eq!(
        s.forecast().await.unwrap(),
        f,
        "the first pipeline by default"
    );
    // Renewals: B open at 50% of 200; C won.
    let f = s.pipeline_forecast(Some(renewals.id)).await.unwrap();
    let stage_names: Vec<&str> = f.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(stage_names, ["Open", "Won", "Lost"]);
    assert_eq!(f.open_value[0].amount, 20_000);
    assert_eq!(f.open_weighted[0].amount, 10_000);

    let sales_reports = s.pipeline_reports(0, Some(sales)).await.unwrap();
    assert!(sales_reports.outcomes.is_empty(), "nothing closed in Sales");
    let renewal_reports = s.pipeline_reports(0, Some(renewals.id)).await.unwrap();
    assert_eq!(renewal_reports.outcomes.len(), 1);
    assert_eq!(
        (
            renewal_reports.outcomes[0].won,
            renewal_reports.outcomes[0].lost
        ),
        (1, 0)
    );
    // The funnel is Renewals' own: Open then Won; both of its leads reached Open, one Won.
    assert_eq!(renewal_reports.conversion.len(), 1);
    let step = &renewal_reports.conversion[0];
    assert_eq!((step.from_stage, step.to_stage), (r_open, r_won));
    assert_eq!((step.reached_from, step.reached_to), (2, 1));
    assert!(matches!(
        s.pipeline_reports(0, Some(PipelineId(77))).await,
        Err(StoreError::PipelineNotFound(_))
    ));
}
