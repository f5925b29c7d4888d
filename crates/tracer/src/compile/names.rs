//! Wasm text-format names of wasmparser operators, for error messages.

use wasmparser::Operator;

/// `F32Add` → `f32.add`, `I64TruncSatF64U` → `i64.trunc_sat_f64_u`, `TableGet` → `table.get`.
pub fn opcode_name(op: &Operator<'_>) -> String {
    let dbg = format!("{op:?}");
    let ident: &str = dbg.split([' ', '{', '(']).next().unwrap_or(&dbg);
    let words = split_camel(ident);
    let Some((first, rest)) = words.split_first() else {
        return ident.to_string();
    };
    let is_prefix = matches!(
        first.as_str(),
        "i32"
            | "i64"
            | "f32"
            | "f64"
            | "v128"
            | "table"
            | "memory"
            | "ref"
            | "data"
            | "elem"
            | "global"
            | "local"
    );
    if is_prefix && !rest.is_empty() {
        format!("{first}.{}", rest.join("_"))
    } else {
        words.join("_")
    }
}

/// Splits `ConvertI32S` into `["convert", "i32", "s"]`: a word starts at an upper-case letter;
/// digits stay with the letters before them.
fn split_camel(s: &str) -> Vec<String> {
    let mut words: Vec<String> = vec![];
    for c in s.chars() {
        if c.is_ascii_uppercase() || words.is_empty() {
            words.push(String::new());
        }
        if let Some(w) = words.last_mut() {
            w.push(c.to_ascii_lowercase());
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::{Ieee32, Operator};

    #[test]
    fn names_follow_the_text_format() {
        assert_eq!(opcode_name(&Operator::F32Add), "f32.add");
        assert_eq!(
            opcode_name(&Operator::F32Const {
                value: Ieee32::from(0.0f32)
            }),
            "f32.const"
        );
        assert_eq!(
            opcode_name(&Operator::I64TruncSatF64U),
            "i64.trunc_sat_f64_u"
        );
        assert_eq!(opcode_name(&Operator::F64ConvertI32S), "f64.convert_i32_s");
        assert_eq!(opcode_name(&Operator::TableGet { table: 0 }), "table.get");
        assert_eq!(
            opcode_name(&Operator::DataDrop { data_index: 0 }),
            "data.drop"
        );
    }
}
