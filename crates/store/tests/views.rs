//! Saved views against a real SQLite file: saved, replaced by name, deleted, and still there
//! after the database is closed and opened again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_domain::{
    CustomCondition, CustomFieldId, DueFilter, FieldKind, LeadId, NewLead, NewView, StageId,
    Timestamp, ViewFilter,
};
use leadscout_store::{Store, StoreError, DATABASE_FILE};

const NOW: Timestamp = Timestamp(1_764_000_000_000);

fn view(name: &str, pinned: bool, filter: ViewFilter) -> NewView {
    NewView {
        name: name.into(),
        filter,
        pinned,
    }
}

#[tokio::test]
async fn saved_views_survive_a_restart_and_a_name_is_saved_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let hot = ViewFilter {
        text: "acme".into(),
        tags: vec!["EMEA".into()],
        stages: vec![StageId(3), StageId(4)],
        fit_min: Some(60),
        fit_max: None,
        due: Some(DueFilter::Overdue),
        not_contacted_days: Some(14),
        stale: true,
        custom: vec![],
    };
    {
        let store = Store::open(&path).await.unwrap();
        let saved = store
            .save_view(&view("Hot", true, hot.clone()), NOW)
            .await
            .unwrap();
        assert_eq!(saved.filter, hot);
        store
            .save_view(&view("Cold", false, ViewFilter::default()), NOW)
            .await
            .unwrap();
        // The same name in another case replaces the view rather than adding one.
        let replaced = store
            .save_view(
                &view(
                    "cold",
                    true,
                    ViewFilter {
                        fit_max: Some(30),
                        ..ViewFilter::default()
                    },
                ),
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(replaced.name, "cold");
        store.close().await;
    }
    let store = Store::open(&path).await.unwrap();
    let views = store.saved_views().await.unwrap();
    let listed: Vec<(&str, bool, Option<u8>)> = views
        .iter()
        .map(|v| (v.name.as_str(), v.pinned, v.filter.fit_max))
        .collect();
    assert_eq!(listed, [("Hot", true, None), ("cold", true, Some(30))]);
    assert_eq!(views[0].filter, hot);
    store.delete_view(views[0].id).await.unwrap();
    assert_eq!(store.saved_views().await.unwrap().len(), 1);
}

async fn lead(store: &Store, name: &str) -> LeadId {
    let draft = NewLead {
        full_name: name.into(),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    store.create_lead(&draft, NOW).await.unwrap().id
}

fn condition(
    field: CustomFieldId,
    value: &str,
    min: Option<&str>,
    max: Option<&str>,
) -> CustomCondition {
    CustomCondition {
        field_id: field,
        value: value.into(),
        min: min.map(Into::into),
        max: max.map(Into::into),
    }
}

#[tokio::test]
async fn custom_conditions_pick_leads_by_value_and_survive_a_restart_and_a_deleted_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let store = Store::open(&path).await.unwrap();
    let tier = store
        .create_custom_field(
            "Tier",
            FieldKind::Choice,
            &["Gold".into(), "Silver".into()],
            NOW,
        )
        .await
        .unwrap();
    let budget = store
        .create_custom_field("Budget", FieldKind::Number, &[], NOW)
        .await
        .unwrap();
    let renewal = store
        .create_custom_field("Renewal", FieldKind::Date, &[], NOW)
        .await
        .unwrap();
    let notes = store
        .create_custom_field("Notes", FieldKind::Text, &[], NOW)
        .await
        .unwrap();
    let ada = lead(&store, "Ada").await;
    let grace = lead(&store, "Grace").await;
    let alan = lead(&store, "Alan").await;
    let gone = lead(&store, "Deleted").await;
    for (who, field, value) in [
        (ada, tier.id, "Gold"),
        (ada, budget.id, "900"),
        (ada, renewal.id, "2027-01-31"),
        (ada, notes.id, "Met at the Café Sacher"),
        (grace, tier.id, "silver"),
        (grace, budget.id, "10,000"),
        (grace, renewal.id, "2027-03-01"),
        (grace, notes.id, "cafe owner"),
        (alan, tier.id, "Gold"),
        (gone, tier.id, "Gold"),
    ] {
        store
            .set_custom_value(who, field, value, NOW)
            .await
            .unwrap();
    }
    store.delete_lead(gone, NOW).await.unwrap();

    let ids = |m: leadscout_domain::CustomMatches| m.lead_ids.unwrap();
    // Equals on a choice; a lead in the trash is never listed.
    let gold = [condition(tier.id, "gold", None, None)];
    assert_eq!(ids(store.custom_matches(&gold).await.unwrap()), [ada, alan]);
    // A number range compares numbers ("900" sorts after "10000" as text); a lead without a
    // value (Alan) fails it.
    let cheap = [condition(budget.id, "", Some("500"), Some("1000"))];
    assert_eq!(ids(store.custom_matches(&cheap).await.unwrap()), [ada]);
    let rich = [condition(budget.id, "", Some("1,000"), None)];
    assert_eq!(ids(store.custom_matches(&rich).await.unwrap()), [grace]);
    let err = store
        .custom_matches(&[condition(budget.id, "", Some("lots"), None)])
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid { ref message, .. } if message.contains("Budget")),
        "{err}"
    );
    let soon = [condition(renewal.id, "", None, Some("2027-02-28"))];
    assert_eq!(ids(store.custom_matches(&soon).await.unwrap()), [ada]);
    // Contains ignores case and accents; every condition must hold.
    let cafe = [condition(notes.id, "CAFÉ", None, None)];
    assert_eq!(
        ids(store.custom_matches(&cafe).await.unwrap()),
        [ada, grace]
    );
    let both = [
        condition(notes.id, "cafe", None, None),
        condition(tier.id, "Silver", None, None),
    ];
    assert_eq!(ids(store.custom_matches(&both).await.unwrap()), [grace]);

    // A view holding conditions is saved in normal form and read back after a restart.
    let fields = store.custom_fields().await.unwrap();
    let filter = ViewFilter {
        custom: vec![
            condition(tier.id, "gold", None, None),
            condition(budget.id, "", Some("1,000"), None),
        ],
        ..ViewFilter::default()
    };
    let checked = view("Gold, big", true, filter).validate(&fields).unwrap();
    store.save_view(&checked, NOW).await.unwrap();
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    let saved = store.saved_views().await.unwrap();
    assert_eq!(
        saved[0].filter.custom,
        [
            condition(tier.id, "Gold", None, None),
            condition(budget.id, "", Some("1000"), None),
        ]
    );
    assert_eq!(
        ids(store.custom_matches(&saved[0].filter.custom).await.unwrap()),
        []
    );

    // The field is deleted: the view still reads, its condition is dropped and named.
    store.delete_custom_field(budget.id).await.unwrap();
    let saved = store.saved_views().await.unwrap();
    let matches = store.custom_matches(&saved[0].filter.custom).await.unwrap();
    assert_eq!(matches.gone, [budget.id]);
    assert_eq!(matches.lead_ids.unwrap(), [ada, alan]);
    let only_gone = store.custom_matches(&cheap).await.unwrap();
    assert_eq!(
        (only_gone.lead_ids, only_gone.gone),
        (None, vec![budget.id])
    );
    // Saving it again unchanged is refused with a reason, and loses nothing.
    let fields = store.custom_fields().await.unwrap();
    let err = NewView {
        name: "Gold, big".into(),
        filter: saved[0].filter.clone(),
        pinned: true,
    }
    .validate(&fields)
    .unwrap_err();
    assert!(err.message.contains("deleted"), "{err}");
    assert_eq!(store.saved_views().await.unwrap(), saved);
    store.close().await;
}
