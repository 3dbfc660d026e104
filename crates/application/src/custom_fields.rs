//! Custom fields on leads: the definitions kept in Settings and each lead's values.

use leadscout_domain::{
    normalize_choices, normalize_field_name, CustomField, CustomFieldEdit, CustomFieldId,
    CustomValue, NewCustomField, SetCustomValue, Timestamp,
};

use crate::{AppError, Leadscout};

impl Leadscout {
    /// Every custom field in order, each with how many leads hold a value.
    pub async fn custom_fields(&self) -> Result<Vec<CustomField>, AppError> {
        Ok(self.store.custom_fields().await?)
    }

    /// Adds a field after the others.
    pub async fn create_custom_field(
        &self,
        input: NewCustomField,
    ) -> Result<CustomField, AppError> {
        let name = normalize_field_name(&input.name)?;
        let choices = normalize_choices(input.kind, &input.choices)?;
        Ok(self
            .store
            .create_custom_field(&name, input.kind, &choices, Timestamp::now())
            .await?)
    }

    /// Renames a field or changes a choice field's choices.
    pub async fn update_custom_field(
        &self,
        id: CustomFieldId,
        edit: CustomFieldEdit,
    ) -> Result<CustomField, AppError> {
        let name = edit.name.as_deref().map(normalize_field_name).transpose()?;
        let choices = match &edit.choices {
            Some(choices) => {
                let kind = self
                    .store
                    .custom_fields()
                    .await?
                    .into_iter()
                    .find(|f| f.id == id)
                    .ok_or(leadscout_store::StoreError::CustomFieldNotFound(id))?
                    .kind;
                Some(normalize_choices(kind, choices)?)
            }
            None => None,
        };
        Ok(self
            .store
            .update_custom_field(id, name.as_deref(), choices.as_deref(), Timestamp::now())
            .await?)
    }

    /// Puts the fields in this order (every field exactly once).
    pub async fn reorder_custom_fields(
        &self,
        order: &[CustomFieldId],
    ) -> Result<Vec<CustomField>, AppError> {
        Ok(self
            .store
            .reorder_custom_fields(order, Timestamp::now())
            .await?)
    }

    /// Deletes a field and every lead's value of it; returns how many values went.
    pub async fn delete_custom_field(&self, id: CustomFieldId) -> Result<u64, AppError> {
        Ok(self.store.delete_custom_field(id).await?)
    }

    /// Sets (or, with an empty value, clears) a lead's value of a field; returns the lead's
    /// values afterwards.
    pub async fn set_custom_value(
        &self,
        input: SetCustomValue,
    ) -> Result<Vec<CustomValue>, AppError> {
        Ok(self
            .store
            .set_custom_value(
                input.lead_id,
                input.field_id,
                &input.value,
                Timestamp::now(),
            )
            .await?)
    }
}
