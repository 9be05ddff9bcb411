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
    format!("{}-error", field_id(name))
}

/// The id of a field's input, for the summary's link to it: the field's name with what an id
/// in a link cannot hold made `-` (`lines[3][amount]` → `lines-3-amount`).
pub(crate) fn field_id(name: &str) -> String {
    let mut id = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// The refusal of the form `row` picks (see [`field_error`]), if the last submission was refused.
fn refusal<S>(action: ServerAction<S>, row: &Option<(&'static str, String)>) -> Option<UiError>
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let error = action.value().get_untracked().and_then(|r| r.err())?;
    match row {
        Some((key, value)) if error.value(key).as_ref() != Some(value) => None,
        _ => Some(error),
    }
}

/// `aria-invalid` of a field: "true" while the last submission refused it.
pub(crate) fn invalid<S>(
    action: ServerAction<S>,
    name: &'static str,
    row: Option<(&'static str, String)>,
) -> Option<&'static str>
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    refusal(action, &row).and_then(|e| e.field(name)).map(|_| "true")
}

/// `aria-describedby` of a field: its message's id while the last submission refused it.
pub(crate) fn described<S>(
    action: ServerAction<S>,
    name: &'static str,
    row: Option<(&'static str, String)>,
) -> Option<String>
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    refusal(action, &row).and_then(|e| e.field(name)).map(|_| error_id(name))
}

/// At the top of a refused form: how many things to fix, each a link to its field, so that
/// nobody has to search a long form for the one message (the DADS error-summary pattern).
pub(crate) fn error_summary<S>(action: ServerAction<S>) -> Option<AnyView>
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let error = action.value().get_untracked().and_then(|r| r.err())?;
    let fields = error.fields();
    (!fields.is_empty()).then(|| summary_view(fields))
}

/// The summary of (field name, message) pairs; also for forms outside server actions.
pub(crate) fn summary_view(fields: Vec<(String, String)>) -> AnyView {
    let title =
        format!("入力内容に{}件の確認事項があります。各項目を直してから、もう一度送信してください。", fields.len());
    view! {
        <div class="error-summary" role="alert" data-testid="error-summary">
            <p class="error-summary-title">{title}</p>
            <ul>
                {fields.into_iter().map(|(name, message)| view! {
                    <li><a href=format!("#{}", field_id(&name))>{message}</a></li>
                }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
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
            <input id=field_id(name) name=name type="text" required=required value=typed_or(action, name, default) aria-invalid=invalid aria-describedby=described/>
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

/// The last refused submission of an action, read once, for forms whose field names are made
/// as the page is drawn (one per line of a table).
#[derive(Clone)]
pub(crate) struct Refusal(Option<UiError>);

impl Refusal {
    /// The refusal of the last submission of `action`, if it was refused.
    pub(crate) fn of<S>(action: ServerAction<S>) -> Self
    where
        S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        Refusal(action.value().get_untracked().and_then(|r| r.err()))
    }

    /// Only the refusal of the form `key` = `value` picks among several forms of one action on
    /// a page (one per row of a table).
    pub(crate) fn in_row(self, key: &str, value: &str) -> Self {
        Refusal(self.0.filter(|e| e.value(key).as_deref() == Some(value)))
    }

    /// Whether this form came back refused.
    pub(crate) fn any(&self) -> bool {
        self.0.is_some()
    }

    /// `aria-describedby` of a field of one of several forms: its message's id made unique by
    /// the field's own id.
    pub(crate) fn described_in(&self, name: &str, input_id: &str) -> Option<String> {
        self.0.as_ref().and_then(|e| e.field(name)).map(|_| format!("{input_id}-error"))
    }

    /// The message beside a field of one of several forms (see [`Refusal::described_in`]).
    pub(crate) fn message_in(&self, name: &str, input_id: &str) -> Option<AnyView> {
        let message = self.0.as_ref().and_then(|e| e.field(name))?;
        Some(
            view! { <span class="field-error" id=format!("{input_id}-error") role="alert">{message}</span> }.into_any(),
        )
    }

    /// A labelled input: what was typed kept (a password never is), its message beside it and
    /// tied to it, its id the summary's link.
    pub(crate) fn input(
        &self,
        label: String,
        name: &'static str,
        kind: &'static str,
        autocomplete: &'static str,
    ) -> impl IntoView + use<> {
        let value = if kind == "password" { None } else { self.typed(name) };
        view! {
            <label>{label}
                <input id=field_id(name) name=name type=kind autocomplete=autocomplete value=value
                    aria-invalid=self.invalid(name) aria-describedby=self.described(name)/>
                {self.message(name)}
            </label>
        }
    }

    /// What was typed in a field, if the form came back refused.
    pub(crate) fn typed(&self, name: &str) -> Option<String> {
        self.0.as_ref().and_then(|e| e.value(name))
    }

    /// `aria-invalid` of a field.
    pub(crate) fn invalid(&self, name: &str) -> Option<&'static str> {
        self.0.as_ref().and_then(|e| e.field(name)).map(|_| "true")
    }

    /// `aria-describedby` of a field.
    pub(crate) fn described(&self, name: &str) -> Option<String> {
        self.0.as_ref().and_then(|e| e.field(name)).map(|_| error_id(name))
    }

    /// The message beside a field.
    pub(crate) fn message(&self, name: &str) -> Option<AnyView> {
        let message = self.0.as_ref().and_then(|e| e.field(name))?;
        Some(view! { <span class="field-error" id=error_id(name) role="alert">{message}</span> }.into_any())
    }
}
