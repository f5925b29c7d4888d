//! Program inputs: the public and private input streams read by `wasm_input`, and the
//! command-line syntax that produces them (compatible with zkWasm's `--public`/`--private`).
//!
//! One input item is `VALUE:KIND` (a bare value means `:i64`):
//!
//! | form | values |
//! |---|---|
//! | `N:i64` | one u64: decimal (a negative one is taken as its two's complement) or `0x` hex |
//! | `0x..:bytes` | one u64 per byte |
//! | `0x..:bytes-packed` | 8 bytes little-endian per u64, the last chunk zero-padded |
//! | `PATH:file` | the file's bytes, 8 bytes **big-endian** per u64, the last chunk zero-padded |
//!
//! Lists of items are comma-separated: `1,2,0x3:i64`.
//!
//! ```
//! use zkwasm_tracer::inputs::{parse_input, parse_inputs};
//! assert_eq!(parse_input("133:i64").unwrap(), vec![133]);
//! assert_eq!(parse_input("-1").unwrap(), vec![u64::MAX]);
//! assert_eq!(parse_input("0x0102:bytes").unwrap(), vec![1, 2]);
//! assert_eq!(parse_input("0x0102:bytes-packed").unwrap(), vec![0x0201]);
//! assert_eq!(parse_inputs(&["1,2".to_string(), "0x10".to_string()]).unwrap(), vec![1, 2, 16]);
//! ```

use crate::error::{Error, Result};
use serde::Serialize;

/// Inputs of one run, consumed in order by `wasm_input(1)` (public) and `wasm_input(0)` (private).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Inputs {
    pub public: Vec<u64>,
    pub private: Vec<u64>,
}

impl Inputs {
    /// Parses the public and private input arguments (see [`parse_inputs`]).
    pub fn parse(public: &[String], private: &[String]) -> Result<Inputs> {
        Ok(Inputs {
            public: parse_inputs(public)?,
            private: parse_inputs(private)?,
        })
    }
}

fn bad(input: &str, reason: impl Into<String>) -> Error {
    Error::BadInput {
        input: input.to_string(),
        reason: reason.into(),
    }
}

/// Parses several input arguments, each a comma-separated list of items, into one stream.
pub fn parse_inputs<S: AsRef<str>>(items: &[S]) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    for item in items {
        for part in item.as_ref().split(',') {
            out.extend(parse_input(part)?);
        }
    }
    Ok(out)
}

/// Parses one input item (`VALUE:KIND`, or a bare `VALUE` meaning `:i64`) into its values.
pub fn parse_input(s: &str) -> Result<Vec<u64>> {
    let item = s.trim();
    if item.is_empty() {
        return Err(bad(
            item,
            "empty input (expected e.g. `42:i64`, `0x0a0b:bytes` or `path:file`)",
        ));
    }
    // rsplit: a file path may itself contain ':'.
    let (value, kind) = match item.rsplit_once(':') {
        Some((v, k)) => (v, k),
        None => (item, "i64"),
    };
    match kind {
        "i64" => parse_i64(item, value).map(|v| vec![v]),
        "bytes" => Ok(parse_hex_bytes(item, value)?
            .into_iter()
            .map(u64::from)
            .collect()),
        "bytes-packed" => Ok(pack_le(&parse_hex_bytes(item, value)?)),
        "file" => {
            if value.is_empty() {
                return Err(bad(item, "empty file path"));
            }
            let bytes = std::fs::read(value)
                .map_err(|e| bad(item, format!("cannot read file `{value}`: {e}")))?;
            Ok(pack_be(&bytes))
        }
        other => Err(bad(
            item,
            format!(
                "unknown input kind `{other}` (expected one of: i64, bytes, bytes-packed, file)"
            ),
        )),
    }
}

fn strip_hex_prefix(s: &str) -> Option<&str> {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))
}

/// A decimal (possibly negative) or `0x` hex number that fits in 64 bits.
fn parse_i64(item: &str, value: &str) -> Result<u64> {
    if value.is_empty() {
        return Err(bad(item, "empty number"));
    }
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value.strip_prefix('+').unwrap_or(value)),
    };
    let (radix, digits) = match strip_hex_prefix(digits) {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    if digits.is_empty() {
        return Err(bad(item, "no digits"));
    }
    if let Some(c) = digits.chars().find(|c| !c.is_digit(radix)) {
        let what = if radix == 16 { "hex" } else { "decimal" };
        return Err(bad(
            item,
            format!("invalid {what} digit `{c}` in number `{value}`"),
        ));
    }
    let magnitude = u64::from_str_radix(digits, radix)
        .map_err(|_| bad(item, format!("number `{value}` does not fit in 64 bits")))?;
    if !negative {
        return Ok(magnitude);
    }
    if magnitude > 1u64 << 63 {
        return Err(bad(
            item,
            format!("number `{value}` is below the i64 minimum {}", i64::MIN),
        ));
    }
    Ok(magnitude.wrapping_neg())
}

/// Hex digits (with or without `0x`), an even number of them.
fn parse_hex_bytes(item: &str, value: &str) -> Result<Vec<u8>> {
    let hex = strip_hex_prefix(value).unwrap_or(value);
    if let Some(c) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(bad(item, format!("invalid hex digit `{c}`")));
    }
    if !hex.len().is_multiple_of(2) {
        return Err(bad(
            item,
            format!(
                "odd number of hex digits ({}): bytes take two digits each",
                hex.len()
            ),
        ));
    }
    Ok(hex
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).expect("ASCII hex digits");
            u8::from_str_radix(s, 16).expect("checked hex digits")
        })
        .collect())
}

fn chunk8(bytes: &[u8]) -> impl Iterator<Item = [u8; 8]> + '_ {
    bytes.chunks(8).map(|c| {
        let mut b = [0u8; 8];
        b[..c.len()].copy_from_slice(c);
        b
    })
}

/// 8 bytes little-endian per value, the last chunk zero-padded at its end.
fn pack_le(bytes: &[u8]) -> Vec<u64> {
    chunk8(bytes).map(u64::from_le_bytes).collect()
}

/// 8 bytes big-endian per value, the last chunk zero-padded at its end (zkWasm's `:file`).
fn pack_be(bytes: &[u8]) -> Vec<u64> {
    chunk8(bytes).map(u64::from_be_bytes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> String {
        match parse_input(s) {
            Err(Error::BadInput { input, reason }) => {
                assert_eq!(input, s.trim(), "the error names the input");
                reason
            }
            other => panic!("expected BadInput for {s:?}, got {other:?}"),
        }
    }

    #[test]
    fn i64_decimal_hex_negative() {
        assert_eq!(parse_input("133:i64").unwrap(), vec![133]);
        assert_eq!(parse_input("0:i64").unwrap(), vec![0]);
        assert_eq!(parse_input("+7:i64").unwrap(), vec![7]);
        assert_eq!(parse_input("0x10:i64").unwrap(), vec![16]);
        assert_eq!(parse_input("0XfF:i64").unwrap(), vec![255]);
        assert_eq!(parse_input("-1:i64").unwrap(), vec![u64::MAX]);
        assert_eq!(parse_input("-2").unwrap(), vec![u64::MAX - 1]);
        assert_eq!(parse_input("-0x1").unwrap(), vec![u64::MAX]);
        assert_eq!(parse_input("18446744073709551615").unwrap(), vec![u64::MAX]);
        assert_eq!(parse_input("0xffffffffffffffff").unwrap(), vec![u64::MAX]);
        assert_eq!(
            parse_input("-9223372036854775808").unwrap(),
            vec![1u64 << 63]
        );
        assert_eq!(parse_input(" 5 ").unwrap(), vec![5]);
    }

    #[test]
    fn bare_number_is_i64() {
        assert_eq!(parse_input("42").unwrap(), parse_input("42:i64").unwrap());
        assert_eq!(parse_input("0x2a").unwrap(), vec![42]);
    }

    #[test]
    fn bytes_one_value_per_byte() {
        assert_eq!(parse_input("0x0102ff:bytes").unwrap(), vec![1, 2, 255]);
        assert_eq!(parse_input("0A0b:bytes").unwrap(), vec![10, 11]);
        assert_eq!(parse_input("0x:bytes").unwrap(), Vec::<u64>::new());
    }

    #[test]
    fn bytes_packed_little_endian_padded() {
        assert_eq!(
            parse_input("0x0102030405060708:bytes-packed").unwrap(),
            vec![0x0807060504030201]
        );
        assert_eq!(
            parse_input("0x010203040506070809:bytes-packed").unwrap(),
            vec![0x0807060504030201, 0x09]
        );
        assert_eq!(parse_input("0x01:bytes-packed").unwrap(), vec![1]);
        assert_eq!(parse_input("0x:bytes-packed").unwrap(), Vec::<u64>::new());
    }

    fn temp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("zkwasm-inputs-{}-{name}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn file_big_endian_padded() {
        let path = temp_file("a.bin", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        let got = parse_input(&format!("{}:file", path.display())).unwrap();
        assert_eq!(got, vec![0x0102030405060708, 0x090a000000000000]);
        std::fs::remove_file(&path).unwrap();

        let empty = temp_file("empty.bin", &[]);
        assert_eq!(
            parse_input(&format!("{}:file", empty.display())).unwrap(),
            Vec::<u64>::new()
        );
        std::fs::remove_file(&empty).unwrap();
    }

    #[test]
    fn lists_and_repeats() {
        let items = vec![
            "133:i64,2".to_string(),
            "0x0102:bytes".to_string(),
            "-1".to_string(),
        ];
        assert_eq!(parse_inputs(&items).unwrap(), vec![133, 2, 1, 2, u64::MAX]);
        assert_eq!(parse_inputs::<String>(&[]).unwrap(), Vec::<u64>::new());
        let inputs = Inputs::parse(&["1".into()], &["2,3".into()]).unwrap();
        assert_eq!(
            inputs,
            Inputs {
                public: vec![1],
                private: vec![2, 3]
            }
        );
    }

    #[test]
    fn errors() {
        assert!(reason("").contains("empty input"));
        assert!(reason("  ").contains("empty input"));
        assert!(reason(":i64").contains("empty number"));
        assert!(reason("-:i64").contains("no digits"));
        assert!(reason("0x:i64").contains("no digits"));
        assert!(reason("12a:i64").contains("invalid decimal digit `a`"));
        assert!(reason("0xfg:i64").contains("invalid hex digit `g`"));
        assert!(reason("0x12g4:bytes").contains("invalid hex digit `g`"));
        assert!(reason("0x123:bytes").contains("odd number of hex digits"));
        assert!(reason("0x123:bytes-packed").contains("odd number of hex digits"));
        assert!(reason("18446744073709551616").contains("does not fit in 64 bits"));
        assert!(reason("0x10000000000000000").contains("does not fit in 64 bits"));
        assert!(reason("-9223372036854775809").contains("below the i64 minimum"));
        assert!(reason("1:u32").contains("unknown input kind `u32`"));
        assert!(reason("1:").contains("unknown input kind ``"));
        assert!(reason(":file").contains("empty file path"));
        let missing = std::env::temp_dir().join("zkwasm-inputs-definitely-missing.bin");
        assert!(reason(&format!("{}:file", missing.display())).contains("cannot read file"));
    }

    #[test]
    fn list_errors_name_the_bad_item() {
        let err = parse_inputs(&["1,,2".to_string()]).unwrap_err();
        assert!(
            matches!(err, Error::BadInput { ref input, .. } if input.is_empty()),
            "{err:?}"
        );
        let err = parse_inputs(&["1,x".to_string()]).unwrap_err();
        assert!(err.to_string().contains("`x`"), "{err}");
    }
}
