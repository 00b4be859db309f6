//! The replica's projection merges each event's `after` over the entity's state as SQLite's
//! `json_patch` does (RFC 7396 MergePatch): PostgreSQL has no such function (`jsonb ||`
//! merges one level and keeps nulls), so the merge is made here, on the rows of a batch.

use serde_json::Value;

/// `patch` merged over `target`: a patch that is no object replaces the target; a null
/// member removes the target's; an object member merges into the target's of that name.
pub(super) fn merge_patch(target: Value, patch: Value) -> Value {
    let Value::Object(members) = patch else {
        return patch;
    };
    let mut out = match target {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    for (name, value) in members {
        if value.is_null() {
            out.remove(&name);
        } else {
            let merged = match out.remove(&name) {
                Some(old) => merge_patch(old, value),
                // A member the target lacks is merged over nothing: its nulls go too.
                None => merge_patch(Value::Null, value),
            };
            out.insert(name, merged);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::Value;

    /// The same merges as SQLite's `json_patch`, which the SQLite backend runs.
    #[test]
    fn merges_as_sqlite_json_patch() {
        let sqlite = rusqlite::Connection::open_in_memory().expect("sqlite");
        let cases = [
            (r#"{"a":1,"b":2}"#, r#"{"b":3}"#),
            (r#"{"a":1,"b":2}"#, r#"{"b":null}"#),
            (r#"{"a":{"x":1,"y":2}}"#, r#"{"a":{"y":null,"z":3}}"#),
            (r#"{"a":1}"#, r#"{"n":{"x":null,"y":1}}"#),
            (r#"{"a":1}"#, r#"[1,2]"#),
            (r#"[1,2]"#, r#"{"a":1}"#),
            (r#""text""#, r#"{"a":null}"#),
            (r#"{"a":[1,2]}"#, r#"{"a":{"b":1}}"#),
            (r#"{"a":{"b":1}}"#, r#"{"a":5}"#),
            (
                r#"{"lines":[{"x":1}],"total":3}"#,
                r#"{"status":"validated"}"#,
            ),
        ];
        for (target, patch) in cases {
            let expected: String = sqlite
                .query_row("SELECT json_patch(?1, ?2)", [target, patch], |r| r.get(0))
                .expect("json_patch");
            let expected: Value = serde_json::from_str(&expected).expect("json");
            let merged = merge_patch(
                serde_json::from_str(target).expect("target"),
                serde_json::from_str(patch).expect("patch"),
            );
            assert_eq!(merged, expected, "{target} ← {patch}");
        }
    }
}
