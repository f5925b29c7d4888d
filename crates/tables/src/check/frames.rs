//! JTable rules and counts. Calls and returns are counted separately: the reference system's
//! single counter let a prover forge a frame and pay for it with two returns.

use super::{violation, Rule, TableId, Violation};
use crate::Tables;
use std::collections::HashSet;

fn v(row: usize, rule: Rule, detail: impl std::fmt::Display) -> Violation {
    violation(TableId::JTable, row, rule, detail)
}

/// One static entry first (the entry frame, returned when the run halts); unique frame ids.
pub(super) fn check_jtable(t: &Tables) -> Result<(), Violation> {
    let entry = t.image.state.entry_fid;
    let Some(first) = t.jtable.first() else {
        return Err(v(0, Rule::StaticEntry, "no static entry"));
    };
    if *first != crate::JRow::entry_frame(entry) {
        return Err(v(
            0,
            Rule::StaticEntry,
            format!("{first:?} is not the returned entry frame of fn {entry}"),
        ));
    }
    let mut seen = HashSet::new();
    for (i, j) in t.jtable.iter().enumerate() {
        if i > 0 && j.is_static {
            return Err(v(i, Rule::StaticEntry, "a second static entry"));
        }
        if !seen.insert(j.frame) {
            return Err(v(
                i,
                Rule::DuplicateFrame,
                format!("frame {} again", j.frame),
            ));
        }
    }
    Ok(())
}

/// Non-static entries = calls; returned non-static entries = returns.
pub(super) fn check_counts(t: &Tables) -> Result<(), Violation> {
    let first = t.etable.first().expect("checked non-empty");
    let calls = t.jtable.iter().filter(|j| !j.is_static).count() as u32;
    if calls != first.rest_calls {
        return Err(v(
            0,
            Rule::CallCount,
            format!(
                "{calls} frames, the ETable counts {} calls",
                first.rest_calls
            ),
        ));
    }
    let returns = t
        .jtable
        .iter()
        .filter(|j| !j.is_static && j.returned)
        .count() as u32;
    if returns != first.rest_returns {
        return Err(v(
            0,
            Rule::ReturnCount,
            format!(
                "{returns} returned frames, the ETable counts {} returns",
                first.rest_returns
            ),
        ));
    }
    Ok(())
}
