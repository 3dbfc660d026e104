//! Saved views against a real SQLite file: saved, replaced by name, deleted, and still there
//! after the database is closed and opened again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use leadscout_domain::{DueFilter, NewView, StageId, Timestamp, ViewFilter};
use leadscout_store::{Store, DATABASE_FILE};

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
