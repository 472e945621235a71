//! JavaScript's `Number.prototype.toString()` for JSON numbers (ECMA-262 `Number::toString`),
//! needed where the baseline stringifies enum values (POLICY.md §4.5.1 step 4; §6.2 PD7).

use serde_json::Number;

/// The JavaScript text of `n`, or `None` when it is not finite (which JSON cannot express, but a
/// `Number` built in Rust could hold).
pub(crate) fn number_to_js_string(n: &Number) -> Option<String> {
    if let Some(i) = n.as_i64() {
        return Some(i.to_string());
    }
    if let Some(u) = n.as_u64() {
        return Some(u.to_string());
    }
    f64_to_js_string(n.as_f64()?)
}

/// ECMA-262 `Number::toString(x)` with radix 10.
pub(crate) fn f64_to_js_string(x: f64) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some("0".to_owned());
    }
    // Rust's `{:e}` prints the shortest digits that round-trip, as ECMA-262 requires.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exponent) = sci.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = i32::try_from(digits.len()).ok()?;
    let n = exponent + 1;
    let mut out = String::with_capacity(digits.len() + 8);
    if x < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', usize::try_from(n - k).ok()?));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).ok()?);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', usize::try_from(-n).ok()?));
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        out.push_str(&(n - 1).abs().to_string());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::f64_to_js_string;

    #[test]
    fn matches_javascript() {
        let cases = [
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456.789, "123456.789"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (-0.0, "0"),
            (2.5e300, "2.5e+300"),
            (5e-324, "5e-324"),
        ];
        for (x, expected) in cases {
            assert_eq!(f64_to_js_string(x).as_deref(), Some(expected), "{x}");
        }
        assert_eq!(f64_to_js_string(f64::NAN), None);
    }
}
