//! The lead drawer: a lead edited inline, moved, searched and found as it was left.

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use fantoccini::Locator;

use crate::harness::{eventually, find, lead_names_in, App};
use crate::{fill, setup, text_of};

/// Opens an inline field's editor (unless a refused value left it open), types and presses Enter.
async fn edit_field(client: &fantoccini::Client, field: &str, text: &str) {
    let input_css = format!("[data-testid=field-{field}] [name={field}]");
    if client.find(Locator::Css(&input_css)).await.is_err() {
        find(client, &format!("[data-testid=field-{field}] button"))
            .await
            .click()
            .await
            .unwrap();
    }
    let input = find(client, &input_css).await;
    input.clear().await.unwrap();
    input
        .send_keys(&format!("{text}{}", Key::Enter))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_is_edited_moved_searched_and_found_as_left_after_a_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let mut app = App::launch(setup(data_dir.path())).await;
    let shots = std::env::var_os("LEADSCOUT_SCREENSHOTS").map(std::path::PathBuf::from);
    {
        let client = app.client.clone();
        find(&client, "[data-testid=new-lead]")
            .await
            .click()
            .await
            .unwrap();
        fill(&client, "fullName", "Grace Hopper").await;
        fill(&client, "companyName", "Navy Labs").await;
        find(&client, "[data-testid=create-lead-submit]")
            .await
            .click()
            .await
            .unwrap();
        eventually("the card", || async {
            let names = lead_names_in(&client, "New").await;
            (names == ["Grace Hopper"]).then_some(())
        })
        .await;

        // Open the lead and edit fields inline; a refused value is explained and kept.
        find(&client, "[data-testid=lead-card]")
            .await
            .click()
            .await
            .unwrap();
        find(&client, "[data-testid=lead-drawer]").await;
        edit_field(&client, "title", "Rear Admiral").await;
        eventually("the saved title", || async {
            let text = text_of(&client, "[data-testid=field-title]").await;
            text.contains("Rear Admiral").then_some(())
        })
        .await;
        edit_field(&client, "phone", "call me").await;
        let error = text_of(&client, "[data-testid=field-error-phone]").await;
        assert!(error.contains("digits"), "{error:?}");
        edit_field(&client, "phone", "+1 (415) 555-0100").await;
        eventually("the normalised phone", || async {
            let text = text_of(&client, "[data-testid=field-phone]").await;
            text.contains("+14155550100").then_some(())
        })
        .await;
        edit_field(&client, "dealValue", "12.5k").await;
        eventually("the deal value", || async {
            let text = text_of(&client, "[data-testid=field-dealValue]").await;
            text.contains("$12,500").then_some(())
        })
        .await;
        let note = find(&client, "[data-testid=lead-drawer] [name=note]").await;
        note.send_keys("Discussed the COBOL pilot").await.unwrap();
        find(&client, "[data-testid=add-note]")
            .await
            .click()
            .await
            .unwrap();
        eventually("the note in the timeline", || async {
            let text = text_of(&client, "[data-testid=activity]").await;
            text.contains("COBOL pilot").then_some(())
        })
        .await;
        if let Some(dir) = &shots {
            std::fs::write(dir.join("lead.png"), client.screenshot().await.unwrap()).unwrap();
        }
        find(&client, "[data-testid=close-drawer]")
            .await
            .click()
            .await
            .unwrap();

        // Keyboard: Alt+Right moves the focused card to the next stage.
        let card = find(&client, "[data-testid=lead-card]").await;
        client
            .execute(
                "document.querySelector('[data-testid=lead-card]').focus()",
                vec![],
            )
            .await
            .unwrap();
        card.send_keys(&format!("{}{}", Key::Alt, Key::Right))
            .await
            .unwrap();
        eventually("the card in Contacted", || async {
            let names = lead_names_in(&client, "Contacted").await;
            (names == ["Grace Hopper"]).then_some(())
        })
        .await;

        // Pointer: drag the card onto the Qualified column.
        let card = find(&client, "[data-testid=lead-card]").await;
        let target = find(&client, "[data-testid=column][data-stage-name=Qualified]").await;
        let drag = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: card,
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveBy {
                duration: Some(std::time::Duration::from_millis(100)),
                x: 20.0,
                y: 10.0,
            })
            .then(PointerAction::MoveToElement {
                element: target,
                duration: Some(std::time::Duration::from_millis(300)),
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        client.perform_actions(drag).await.unwrap();
        client.release_actions().await.unwrap();
        eventually("the card in Qualified", || async {
            let names = lead_names_in(&client, "Qualified").await;
            (names == ["Grace Hopper"]).then_some(())
        })
        .await;

        // Search from anywhere, open the result.
        client
            .active_element()
            .await
            .unwrap()
            .send_keys("/")
            .await
            .unwrap();
        let input = find(&client, "[data-testid=search] [name=search]").await;
        input.send_keys("cobol").await.unwrap();
        find(&client, "[data-testid=search-result]").await;
        input.send_keys(&Key::Enter.to_string()).await.unwrap();
        eventually("the drawer opened from search", || async {
            let text = text_of(&client, "[data-testid=drawer-name]").await;
            (text == "Grace Hopper").then_some(())
        })
        .await;
    }

    // Everything is where it was left.
    app.restart().await;
    let client = app.client.clone();
    eventually("the card after restart", || async {
        let names = lead_names_in(&client, "Qualified").await;
        (names == ["Grace Hopper"]).then_some(())
    })
    .await;
    if let Some(dir) = &shots {
        std::fs::write(dir.join("board.png"), client.screenshot().await.unwrap()).unwrap();
    }
    find(&client, "[data-testid=lead-card]")
        .await
        .click()
        .await
        .unwrap();
    eventually("the drawer after restart", || async {
        let title = text_of(&client, "[data-testid=field-title]").await;
        title.contains("Rear Admiral").then_some(())
    })
    .await;
    let timeline: Vec<String> = {
        let mut out = Vec::new();
        for el in client
            .find_all(Locator::Css("[data-testid=activity]"))
            .await
            .unwrap()
        {
            out.push(el.prop("textContent").await.unwrap().unwrap_or_default());
        }
        out
    };
    assert!(
        timeline[0].contains("Moved from Contacted to Qualified"),
        "{timeline:?}"
    );
    assert!(
        timeline[1].contains("Moved from New to Contacted"),
        "{timeline:?}"
    );
    assert!(timeline[2].contains("COBOL pilot"), "{timeline:?}");
    assert!(text_of(&client, "[data-testid=field-phone]")
        .await
        .contains("+14155550100"));
    app.close().await;
}
