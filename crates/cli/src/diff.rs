//! Line diffs of configurations, rendered from their neutral pretty JSON.
//!
//! Diffing the neutral JSON (rather than provider wire formats) means a COS and an R2
//! configuration that mean the same thing show no difference, and every line names a neutral
//! field a user can look up.

use serde::Serialize;

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// Present on both sides.
    Same(String),
    /// Only on the old side.
    Removed(String),
    /// Only on the new side.
    Added(String),
}

/// Pretty JSON of an optional configuration; `None` renders as no lines at all, so "no
/// configuration -> some" shows every line as added.
pub fn json_lines<T: Serialize>(value: Option<&T>) -> Vec<String> {
    match value {
        // Plain data structs: serialisation cannot fail.
        Some(v) => serde_json::to_string_pretty(v)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect(),
        None => Vec::new(),
    }
}

/// The line diff of two line lists (Myers' algorithm, from the `similar` crate: linear
/// memory, so even a configuration of thousands of lines diffs line by line, with a deadline
/// so pathological input cannot stall a command).
pub fn diff_lines(old: &[String], new: &[String]) -> Vec<DiffLine> {
    use similar::{Algorithm, DiffOp, capture_diff_deadline};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let ops = capture_diff_deadline(
        Algorithm::Myers,
        old,
        0..old.len(),
        new,
        0..new.len(),
        Some(deadline),
    );
    let mut out = Vec::with_capacity(old.len().max(new.len()));
    for op in ops {
        match op {
            DiffOp::Equal { old_index, len, .. } => out.extend(
                old[old_index..old_index + len]
                    .iter()
                    .cloned()
                    .map(DiffLine::Same),
            ),
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.extend(
                old[old_index..old_index + old_len]
                    .iter()
                    .cloned()
                    .map(DiffLine::Removed),
            ),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.extend(
                new[new_index..new_index + new_len]
                    .iter()
                    .cloned()
                    .map(DiffLine::Added),
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                out.extend(
                    old[old_index..old_index + old_len]
                        .iter()
                        .cloned()
                        .map(DiffLine::Removed),
                );
                out.extend(
                    new[new_index..new_index + new_len]
                        .iter()
                        .cloned()
                        .map(DiffLine::Added),
                );
            }
        }
    }
    out
}

/// Whether a diff has any change.
pub fn has_changes(diff: &[DiffLine]) -> bool {
    diff.iter().any(|l| !matches!(l, DiffLine::Same(_)))
}

/// Renders a unified-style diff with `context` unchanged lines around each change, under a
/// `--- old_label` / `+++ new_label` header. Returns `"(no changes)\n"` when equal.
pub fn render(diff: &[DiffLine], old_label: &str, new_label: &str, context: usize) -> String {
    if !has_changes(diff) {
        return "(no changes)\n".to_owned();
    }
    let near_change: Vec<bool> = (0..diff.len())
        .map(|i| {
            let lo = i.saturating_sub(context);
            let hi = i.saturating_add(context).saturating_add(1).min(diff.len());
            diff[lo..hi].iter().any(|l| !matches!(l, DiffLine::Same(_)))
        })
        .collect();
    let mut out = format!("--- {old_label}\n+++ {new_label}\n");
    let mut skipped = false;
    for (line, show) in diff.iter().zip(near_change) {
        if !show {
            skipped = true;
            continue;
        }
        if skipped {
            out.push_str("  ...\n");
            skipped = false;
        }
        match line {
            DiffLine::Same(l) => out.push_str(&format!("  {l}\n")),
            DiffLine::Removed(l) => out.push_str(&format!("- {l}\n")),
            DiffLine::Added(l) => out.push_str(&format!("+ {l}\n")),
        }
    }
    if skipped {
        out.push_str("  ...\n");
    }
    out
}

/// Diffs two optional configurations and renders the result (3 lines of context).
pub fn config_diff<T: Serialize>(
    old: Option<&T>,
    new: Option<&T>,
    old_label: &str,
    new_label: &str,
) -> String {
    diff_with_context(old, new, old_label, new_label, Some(3))
}

/// Like [`config_diff`], every line shown: a copy's plan is read whole before it is applied,
/// so nothing of what the target will hold is hidden behind `...`.
pub fn whole_diff<T: Serialize>(
    old: Option<&T>,
    new: Option<&T>,
    old_label: &str,
    new_label: &str,
) -> String {
    diff_with_context(old, new, old_label, new_label, None)
}

fn diff_with_context<T: Serialize>(
    old: Option<&T>,
    new: Option<&T>,
    old_label: &str,
    new_label: &str,
    context: Option<usize>,
) -> String {
    let diff = diff_lines(&json_lines(old), &json_lines(new));
    let context = context.unwrap_or(diff.len());
    let mut text = render(&diff, old_label, new_label, context);
    if old.is_none() && new.is_some() {
        text = format!("({old_label} has no configuration)\n{text}");
    } else if new.is_none() && old.is_some() {
        text = format!("({new_label} has no configuration)\n{text}");
    }
    text
}

#[cfg(test)]
mod tests {
    use bucket_admin_core::{CorsConfiguration, CorsMethod, CorsRule};

    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_owned).collect()
    }

    #[test]
    fn line_diff_marks_changes() {
        let d = diff_lines(&lines("a\nb\nc"), &lines("a\nx\nc\nd"));
        assert_eq!(
            d,
            [
                DiffLine::Same("a".into()),
                DiffLine::Removed("b".into()),
                DiffLine::Added("x".into()),
                DiffLine::Same("c".into()),
                DiffLine::Added("d".into()),
            ]
        );
        assert!(!has_changes(&diff_lines(&lines("a"), &lines("a"))));
    }

    #[test]
    fn large_configurations_still_diff_line_by_line() {
        let old: Vec<String> = (0..5000).map(|i| format!("line {i}")).collect();
        let mut new = old.clone();
        new[2500] = "changed".into();
        let d = diff_lines(&old, &new);
        let changed: Vec<&DiffLine> = d
            .iter()
            .filter(|l| !matches!(l, DiffLine::Same(_)))
            .collect();
        assert_eq!(
            changed,
            [
                &DiffLine::Removed("line 2500".into()),
                &DiffLine::Added("changed".into())
            ]
        );
    }

    #[test]
    fn rendering_elides_far_context() {
        let old = lines("1\n2\n3\n4\n5\n6\n7\n8\n9");
        let mut new = old.clone();
        new[8] = "nine".into();
        let text = render(&diff_lines(&old, &new), "a", "b", 1);
        assert_eq!(text, "--- a\n+++ b\n  ...\n  8\n- 9\n+ nine\n");
        assert_eq!(
            render(&diff_lines(&old, &old), "a", "b", 3),
            "(no changes)\n"
        );
    }

    #[test]
    fn config_diff_shows_the_changed_field() {
        let a = CorsConfiguration::new(vec![
            CorsRule::new(["https://a.com"], [CorsMethod::Get]).with_max_age_seconds(600),
        ]);
        let mut b = a.clone();
        b.rules[0].max_age_seconds = Some(60);
        let text = config_diff(Some(&a), Some(&b), "target (current)", "planned");
        assert!(text.contains("-       \"max_age_seconds\": 600"), "{text}");
        assert!(text.contains("+       \"max_age_seconds\": 60"), "{text}");
        let text = config_diff(None, Some(&a), "target (current)", "planned");
        assert!(text.starts_with("(target (current) has no configuration)"));
        assert!(text.contains("+ {"));
    }
}
