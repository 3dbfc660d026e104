//! Custom fields against a real SQLite file: defined, renamed, reordered, valued per lead,
//! refused when a value does not fit, deleted with their values, and still there after the
//! database is closed and opened again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_domain::{CustomFieldId, FieldKind, LeadId, NewLead, Timestamp};
use leadscout_store::{Store, StoreError, DATABASE_FILE};

const NOW: Timestamp = Timestamp(1_764_000_000_000);

async fn lead(store: &Store, name: &str) -> LeadId {
    let draft = NewLead {
        full_name: name.into(),
        ..NewLead::default()
    }
    .validate()
    .unwrap();
    store.create_lead(&draft, NOW).await.unwrap().id
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[tokio::test]
async fn fields_and_values_survive_a_restart_and_the_lead_page_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let (ada, budget, size) = {
        let store = Store::open(&path).await.unwrap();
        let ada = lead(&store, "Ada Lovelace").await;
        let budget = store
            .create_custom_field("Budget", FieldKind::Number, &[], NOW)
            .await
            .unwrap();
        let size = store
            .create_custom_field(
                "Size",
                FieldKind::Choice,
                &strings(&["Small", "Large"]),
                NOW,
            )
            .await
            .unwrap();
        assert_eq!((budget.position, size.position), (0, 1));
        // Names are unique whatever their case.
        let err = store
            .create_custom_field("budget", FieldKind::Text, &[], NOW)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(ref m) if m.contains("budget")),
            "{err}"
        );

        store
            .set_custom_value(ada, budget.id, "12,500", NOW)
            .await
            .unwrap();
        let values = store
            .set_custom_value(ada, size.id, "large", NOW)
            .await
            .unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(
            (values[0].value.as_str(), values[1].value.as_str()),
            ("12500", "Large")
        );
        (ada, budget.id, size.id)
    };

    let store = Store::open(&path).await.unwrap();
    let fields = store.custom_fields().await.unwrap();
    assert_eq!(
        fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["Budget", "Size"]
    );
    assert_eq!(fields[0].lead_count, 1);
    let detail = store.lead_detail(ada).await.unwrap();
    let values: Vec<(CustomFieldId, &str)> = detail
        .custom_values
        .iter()
        .map(|v| (v.field_id, v.value.as_str()))
        .collect();
    assert_eq!(values, [(budget, "12500"), (size, "Large")]);

    // Reordered: the lead page follows the new order.
    store
        .reorder_custom_fields(&[size, budget], NOW)
        .await
        .unwrap();
    let detail = store.lead_detail(ada).await.unwrap();
    assert_eq!(detail.custom_values[0].field_id, size);
    // An order that leaves a field out is refused.
    assert!(store.reorder_custom_fields(&[size], NOW).await.is_err());

    // Clearing removes the value.
    let values = store
        .set_custom_value(ada, budget, "  ", NOW)
        .await
        .unwrap();
    assert_eq!(values.len(), 1);
}

#[tokio::test]
async fn a_value_that_does_not_fit_its_field_is_refused_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let ada = lead(&store, "Ada Lovelace").await;
    let renewal = store
        .create_custom_field("Renewal", FieldKind::Date, &[], NOW)
        .await
        .unwrap();
    let site = store
        .create_custom_field("Contract link", FieldKind::Url, &[], NOW)
        .await
        .unwrap();
    store
        .set_custom_value(ada, renewal.id, "2027-03-01", NOW)
        .await
        .unwrap();

    let err = store
        .set_custom_value(ada, renewal.id, "01/03/2027", NOW)
        .await
        .unwrap_err();
    match err {
        StoreError::Invalid { field, message } => {
            assert_eq!(field, "value");
            assert!(message.starts_with("Renewal: "), "{message}");
        }
        other => panic!("expected a refused value, got {other}"),
    }
    let err = store
        .set_custom_value(ada, site.id, "javascript:alert(1)", NOW)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Contract link must be a web address"),
        "{err}"
    );

    let values = store.custom_values(ada).await.unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].value, "2027-03-01");

    // A deleted lead takes no values; an unknown field is named as such.
    assert!(matches!(
        store
            .set_custom_value(LeadId(9999), renewal.id, "2027-01-01", NOW)
            .await,
        Err(StoreError::LeadNotFound(_))
    ));
    assert!(matches!(
        store
            .set_custom_value(ada, CustomFieldId(9999), "x", NOW)
            .await,
        Err(StoreError::CustomFieldNotFound(_))
    ));
}

#[tokio::test]
async fn a_choice_in_use_stays_and_deleting_a_field_deletes_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let ada = lead(&store, "Ada Lovelace").await;
    let grace = lead(&store, "Grace Hopper").await;
    let tier = store
        .create_custom_field(
            "Tier",
            FieldKind::Choice,
            &strings(&["Gold", "Silver"]),
            NOW,
        )
        .await
        .unwrap();
    store
        .set_custom_value(ada, tier.id, "Gold", NOW)
        .await
        .unwrap();
    store
        .set_custom_value(grace, tier.id, "Gold", NOW)
        .await
        .unwrap();

    let err = store
        .update_custom_field(tier.id, None, Some(&strings(&["Silver", "Bronze"])), NOW)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "2 leads hold Gold in Tier; change them first, or keep the choice."
    );
    let renamed = store
        .update_custom_field(
            tier.id,
            Some("Plan"),
            Some(&strings(&["Gold", "Bronze"])),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "Plan");
    assert_eq!(renamed.choices, ["Gold", "Bronze"]);
    assert_eq!(renamed.lead_count, 2);

    // A lead in the bin is not counted as holding a value.
    store.delete_lead(grace, NOW).await.unwrap();
    assert_eq!(store.custom_fields().await.unwrap()[0].lead_count, 1);

    assert_eq!(store.delete_custom_field(tier.id).await.unwrap(), 2);
    assert!(store.custom_fields().await.unwrap().is_empty());
    assert!(store.custom_values(ada).await.unwrap().is_empty());
    assert!(matches!(
        store.delete_custom_field(tier.id).await,
        Err(StoreError::CustomFieldNotFound(_))
    ));
}

#[tokio::test]
async fn a_merge_takes_the_expected_close_date_and_fills_empty_custom_fields() {
    use leadscout_domain::{FieldValue, LeadField};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let keep = lead(&store, "Ada Lovelace").await;
    let other = lead(&store, "A. Lovelace").await;
    let budget = store
        .create_custom_field("Budget", FieldKind::Number, &[], NOW)
        .await
        .unwrap();
    let tier = store
        .create_custom_field(
            "Tier",
            FieldKind::Choice,
            &strings(&["Gold", "Silver"]),
            NOW,
        )
        .await
        .unwrap();
    store
        .set_custom_value(keep, tier.id, "Gold", NOW)
        .await
        .unwrap();
    store
        .set_custom_value(other, tier.id, "Silver", NOW)
        .await
        .unwrap();
    store
        .set_custom_value(other, budget.id, "900", NOW)
        .await
        .unwrap();
    store
        .update_lead(
            other,
            &FieldValue::Text(LeadField::ExpectedClose, Some("2027-06-30".into())),
            NOW,
        )
        .await
        .unwrap();

    let merged = store
        .merge_leads(keep, other, &[LeadField::ExpectedClose], NOW)
        .await
        .unwrap();
    assert_eq!(merged.expected_close.as_deref(), Some("2027-06-30"));
    let values: Vec<(CustomFieldId, String)> = store
        .custom_values(keep)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.field_id, v.value))
        .collect();
    // The kept lead's own value wins; the empty field is filled from the other lead.
    assert_eq!(
        values,
        [(budget.id, "900".to_owned()), (tier.id, "Gold".to_owned())]
    );
    // The merged-away lead is in the bin and no longer counted.
    assert_eq!(store.custom_fields().await.unwrap()[0].lead_count, 1);
}

#[tokio::test]
async fn search_finds_a_lead_by_a_custom_value_until_it_is_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE)).await.unwrap();
    let ada = lead(&store, "Ada Lovelace").await;
    let grace = lead(&store, "Grace Hopper").await;
    let referrer = store
        .create_custom_field("Referrer", FieldKind::Text, &[], NOW)
        .await
        .unwrap();
    let tier = store
        .create_custom_field(
            "Tier",
            FieldKind::Choice,
            &strings(&["Platinum", "Ada"]),
            NOW,
        )
        .await
        .unwrap();
    store
        .set_custom_value(ada, referrer.id, "Met at the Lisbon fair", NOW)
        .await
        .unwrap();
    store
        .set_custom_value(grace, tier.id, "Platinum", NOW)
        .await
        .unwrap();

    let hits = store.search("lisbon", 10).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].lead_id, Some(ada));
    assert_eq!(hits[0].title, "Ada Lovelace");
    assert!(hits[0].snippet.contains("Lisbon"), "{}", hits[0].snippet);

    // Found by name and by a value ("Ada" is a choice Grace could hold): each lead once.
    store
        .set_custom_value(ada, tier.id, "Ada", NOW)
        .await
        .unwrap();
    let hits = store.search("ada", 10).await.unwrap();
    assert_eq!(hits.iter().filter(|h| h.lead_id == Some(ada)).count(), 1);

    // A value changed, cleared, or its field deleted is no longer found; a lead in the bin
    // is not found either.
    store
        .set_custom_value(ada, referrer.id, "Porto", NOW)
        .await
        .unwrap();
    assert!(store.search("lisbon", 10).await.unwrap().is_empty());
    assert_eq!(store.search("porto", 10).await.unwrap().len(), 1);
    store
        .set_custom_value(ada, referrer.id, "", NOW)
        .await
        .unwrap();
    assert!(store.search("porto", 10).await.unwrap().is_empty());
    assert_eq!(store.search("platinum", 10).await.unwrap().len(), 1);
    store.delete_lead(grace, NOW).await.unwrap();
    assert!(store.search("platinum", 10).await.unwrap().is_empty());
    store.restore_lead(grace, NOW).await.unwrap();
    assert_eq!(store.search("platinum", 10).await.unwrap().len(), 1);
    store.delete_custom_field(tier.id).await.unwrap();
    assert!(store.search("platinum", 10).await.unwrap().is_empty());
}
