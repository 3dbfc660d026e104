//! Custom fields: their definitions in Settings and each lead's values in the drawer.

use leadscout_domain::{
    CustomField, CustomFieldEdit, CustomFieldId, CustomValue, NewCustomField, SetCustomValue,
};
use tauri::State;

use crate::{AppState, IpcError};

/// Every custom field in order, each with how many leads hold a value.
#[tauri::command]
#[specta::specta]
pub async fn custom_fields(state: State<'_, AppState>) -> Result<Vec<CustomField>, IpcError> {
    Ok(state.app()?.custom_fields().await?)
}

/// Adds a custom field after the others.
#[tauri::command]
#[specta::specta]
pub async fn create_custom_field(
    state: State<'_, AppState>,
    input: NewCustomField,
) -> Result<CustomField, IpcError> {
    Ok(state.app()?.create_custom_field(input).await?)
}

/// Renames a custom field or changes a choice field's choices.
#[tauri::command]
#[specta::specta]
pub async fn update_custom_field(
    state: State<'_, AppState>,
    id: CustomFieldId,
    edit: CustomFieldEdit,
) -> Result<CustomField, IpcError> {
    Ok(state.app()?.update_custom_field(id, edit).await?)
}

/// Puts the custom fields in this order (every field exactly once).
#[tauri::command]
#[specta::specta]
pub async fn reorder_custom_fields(
    state: State<'_, AppState>,
    order: Vec<CustomFieldId>,
) -> Result<Vec<CustomField>, IpcError> {
    Ok(state.app()?.reorder_custom_fields(&order).await?)
}

/// Deletes a custom field and every lead's value of it; returns how many values went.
#[tauri::command]
#[specta::specta]
pub async fn delete_custom_field(
    state: State<'_, AppState>,
    id: CustomFieldId,
) -> Result<u32, IpcError> {
    let deleted = state.app()?.delete_custom_field(id).await?;
    Ok(u32::try_from(deleted).unwrap_or(u32::MAX))
}

/// Sets (or, with an empty value, clears) a lead's value of a custom field.
#[tauri::command]
#[specta::specta]
pub async fn set_custom_value(
    state: State<'_, AppState>,
    input: SetCustomValue,
) -> Result<Vec<CustomValue>, IpcError> {
    Ok(state.app()?.set_custom_value(input).await?)
}
