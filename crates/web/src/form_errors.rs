//! What was wrong with a refused form, field by field, so that the page can say every problem
//! at once beside its field: the summary at the top (each line a link to its field), and on
//! each field `aria-invalid`, `aria-describedby` to its message, and `autofocus` on the first
//! one (the focus lands there without JavaScript).
//!
//! A handler collects the problems in a [`FormErrors`], renders the form again with the values
//! as typed, and the template asks, for each field, [`FormErrors::attrs`] (inside the input
//! tag) and [`FormErrors::note`] (after it). Both return HTML made here from escaped text, so
//! a template includes them with `|safe`.

/// One problem: the form's field name (its `id` and `name`), its label in the form's words,
/// and why, in French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// Every problem of a form, in the order of the form's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    errors: Vec<FieldError>,
}

impl FormErrors {
    pub fn new() -> FormErrors {
        FormErrors::default()
    }

    /// Adds the problem of `field`; a field keeps its first problem only (the one to fix
    /// first), so that each field says one thing.
    pub fn add(&mut self, field: &str, label: &str, message: impl Into<String>) {
        if self.has(field) {
            return;
        }
        self.errors.push(FieldError {
            field: field.to_owned(),
            label: label.to_owned(),
            message: message.into(),
        });
    }

    /// Puts the problems in the order of `fields` (the form's order); fields not listed keep
    /// their place after them.
    pub fn sort_by_fields(&mut self, fields: &[&str]) {
        self.errors.sort_by_key(|e| {
            fields
                .iter()
                .position(|f| *f == e.field)
                .unwrap_or(fields.len())
        });
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn has(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.errors.iter()
    }

    /// The problem of `field`, if any.
    pub fn message(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The first field with a problem: the one that gets the focus.
    pub fn first(&self) -> Option<&str> {
        self.errors.first().map(|e| e.field.as_str())
    }

    /// The id of the message of `field`.
    pub fn note_id(field: &str) -> String {
        format!("{field}-erreur")
    }

    /// The attributes of a field's tag: nothing when it has no problem; else `aria-invalid`,
    /// `aria-describedby` to its message, and `autofocus` on the first.
    pub fn attrs(&self, field: &str) -> String {
        self.attrs_with(field, "")
    }

    /// As [`FormErrors::attrs`], for a field already described by `described_by` (a hint's
    /// id), which stays described by it; the hint's id is given alone when there is no problem.
    pub fn attrs_with(&self, field: &str, described_by: &str) -> String {
        if !self.has(field) {
            return if described_by.is_empty() {
                String::new()
            } else {
                format!(" aria-describedby=\"{}\"", escape(described_by))
            };
        }
        let mut ids = Self::note_id(field);
        if !described_by.is_empty() {
            ids = format!("{ids} {described_by}");
        }
        let focus = if self.first() == Some(field) {
            " autofocus"
        } else {
            ""
        };
        format!(
            " aria-invalid=\"true\" aria-describedby=\"{}\"{focus}",
            escape(&ids)
        )
    }

    /// The message beside a field, or nothing.
    pub fn note(&self, field: &str) -> String {
        match self.message(field) {
            Some(m) => format!(
                "<span class=\"field-error\" id=\"{}\">{}</span>",
                escape(&Self::note_id(field)),
                escape(m)
            ),
            None => String::new(),
        }
    }

    /// The summary at the top of the form: `intro` then every problem, each a link to its
    /// field; nothing when the form had none.
    pub fn summary(&self, intro: &str) -> String {
        if self.errors.is_empty() {
            return String::new();
        }
        let count = if self.errors.len() == 1 {
            "1 problème à corriger".to_owned()
        } else {
            format!("{} problèmes à corriger", self.errors.len())
        };
        let mut html = format!(
            "<div class=\"error form-errors\" role=\"alert\"><p>{} ({count}) :</p><ul>",
            escape(intro)
        );
        for e in &self.errors {
            html.push_str(&format!(
                "<li><a href=\"#{}\">{} : {}</a></li>",
                escape(&e.field),
                escape(&e.label),
                escape(&e.message)
            ));
        }
        html.push_str("</ul></div>");
        html
    }
}

/// Text made safe inside HTML text and double-quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_said_and_the_first_gets_the_focus() {
        let mut e = FormErrors::new();
        e.add("b", "Champ B", "vide");
        e.add("a", "Champ A", "trop <long>");
        e.add("a", "Champ A", "second problem, not kept");
        e.sort_by_fields(&["a", "b"]);
        assert_eq!(e.len(), 2);
        assert_eq!(e.first(), Some("a"));
        assert_eq!(
            e.attrs("a"),
            " aria-invalid=\"true\" aria-describedby=\"a-erreur\" autofocus"
        );
        assert_eq!(
            e.attrs_with("b", "b-max"),
            " aria-invalid=\"true\" aria-describedby=\"b-erreur b-max\""
        );
        assert_eq!(e.attrs("c"), "");
        assert_eq!(e.attrs_with("c", "c-max"), " aria-describedby=\"c-max\"");
        assert_eq!(
            e.note("a"),
            "<span class=\"field-error\" id=\"a-erreur\">trop &lt;long&gt;</span>"
        );
        let summary = e.summary("Rien n'est enregistré");
        assert!(summary.contains("(2 problèmes à corriger)"), "{summary}");
        assert!(summary.contains("<a href=\"#a\">Champ A : trop &lt;long&gt;</a>"));
        assert!(summary.contains("Rien n&#39;est"));
        assert_eq!(FormErrors::new().summary("x"), "");
    }
}
