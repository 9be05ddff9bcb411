//! A refused form comes back filled in: the last error of an action outside its fields, the
//! message for a field beside that field, and what was typed there (the error comes back in
//! the URL when the page is used without JavaScript).

use crate::UiError;
use leptos::prelude::*;

/// The error of the last submitted form, if any, unless it is shown beside its fields
/// ([`field_error`]).
pub(crate) fn last_error<S>(action: ServerAction<S>) -> impl Fn() -> Option<String> + Copy
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .filter(|e| !matches!(e, UiError::FormRejected { .. }))
            .map(|e| e.to_string())
    }
}

/// The message for one field of the last submitted form, beside that field; `row` picks one
/// of several forms of the same action on the page: (the hidden field that tells them apart,
/// its value in this form).
pub(crate) fn field_error<S>(
    action: ServerAction<S>,
    name: &'static str,
    row: Option<(&'static str, String)>,
) -> impl Fn() -> Option<AnyView>
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        let error = action.value().get().and_then(|r| r.err())?;
        if let Some((key, value)) = &row
            && error.value(key).as_ref() != Some(value)
        {
            return None;
        }
        error
            .field(name)
            .map(|m| view! { <span class="field-error" id=error_id(name) role="alert">{m}</span> }.into_any())
    }
}

/// The id of a field's message, for the field's `aria-describedby`.
pub(crate) fn error_id(name: &str) -> String {
    format!("{name}-error")
}

/// A text field (`required` or not) whose refusal is shown beside it: labelled, with `aria-invalid` and
/// `aria-describedby` pointing at the message while it is refused, and what was typed kept
/// (`default` otherwise). `problem` is a message known before submitting (a name read from a
/// file that cannot be printed), shown the same way until the form is sent.
pub(crate) fn checked_text_field<S>(
    action: ServerAction<S>,
    label: String,
    name: &'static str,
    default: String,
    problem: Option<String>,
    required: bool,
) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let message = move || {
        let refused = action.value().get().and_then(|r| r.err());
        match &refused {
            Some(error) => error.field(name),
            None => problem.clone(),
        }
    };
    let (for_invalid, for_described) = (message.clone(), message.clone());
    let invalid = move || for_invalid().map(|_| "true");
    let described = move || for_described().map(|_| error_id(name));
    view! {
        <label>{label}
            <input name=name type="text" required=required value=typed_or(action, name, default) aria-invalid=invalid aria-describedby=described/>
            {move || message().map(|m| view! { <span class="field-error" id=error_id(name) role="alert">{m}</span> })}
        </label>
    }
}

/// What the last refused submission had typed in a field of the form `row` picks (see
/// [`field_error`]); empty for the other forms of the action.
pub(crate) fn typed_in<S>(action: ServerAction<S>, name: &'static str, row: (&'static str, String)) -> String
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let (key, value) = row;
    action
        .value()
        .get_untracked()
        .and_then(|r| r.err())
        .filter(|e| e.value(key).as_ref() == Some(&value))
        .and_then(|e| e.value(name))
        .unwrap_or_default()
}

/// What the last refused submission had typed in a field, or `default`.
pub(crate) fn typed_or<S>(action: ServerAction<S>, name: &'static str, default: String) -> impl Fn() -> String
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || action.value().get().and_then(|r| r.err()).and_then(|e| e.value(name)).unwrap_or_else(|| default.clone())
}

/// What the last refused submission had typed in a field.
pub(crate) fn typed<S>(action: ServerAction<S>, name: &'static str) -> impl Fn() -> String
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    typed_or(action, name, String::new())
}
