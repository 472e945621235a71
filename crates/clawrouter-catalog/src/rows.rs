//! Reading the provider, route, model and pricing rows of a catalog body (PROTOCOL.md §4.3, P7),
//! with the hardening of §14 D17 and the generic cache-write price of §14 D7.
//!
//! Rows borrow their strings from the parsed body. Every row that is dropped and every field
//! that is ignored is recorded with a reason a person can act on.

use crate::json::{Json, Object};

use crate::efforts::{self, EffortSet};
use crate::resolve::{DropKind, DroppedRow, IgnoredField};

/// The prefix every provider's `nativeBaseUrl` must have (§4.3 rule 2).
pub(crate) const NATIVE_PREFIX: &str = "/v1/native/";

/// JavaScript's `String.prototype.trim`: White_Space per ECMAScript (which, unlike Rust's
/// `str::trim`, includes U+FEFF and excludes U+0085).
pub(crate) fn js_trim(text: &str) -> &str {
    text.trim_matches(is_js_whitespace)
}

fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{D}'
            | ' '
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
            | '\u{FEFF}'
    )
}

/// *String* of §4.3: a JSON string, non-empty after trimming → the trimmed value.
pub(crate) fn string<'a>(value: Option<&'a Json<'_>>) -> Option<&'a str> {
    match value {
        Some(Json::String(text)) => Some(js_trim(text)).filter(|text| !text.is_empty()),
        _ => None,
    }
}

/// *String list* of §4.3.
pub(crate) fn string_list<'a>(value: Option<&'a Json<'_>>) -> Vec<&'a str> {
    match value {
        Some(Json::Array(items)) => items.iter().filter_map(|item| string(Some(item))).collect(),
        _ => Vec::new(),
    }
}

/// What a JSON value is, for reasons ("got the number 1.5").
pub(crate) fn found(value: Option<&Json<'_>>) -> String {
    match value {
        None => "nothing".to_owned(),
        Some(Json::Null) => "null".to_owned(),
        Some(Json::Bool(flag)) => format!("the boolean {flag}"),
        Some(Json::Number(number)) => {
            format!("the number {}", crate::json::js_number_text(*number))
        }
        Some(Json::String(text)) if js_trim(text).is_empty() => "a blank string".to_owned(),
        Some(Json::String(text)) => format!("the string {}", shown(text)),
        Some(Json::Array(_)) => "an array".to_owned(),
        Some(Json::Object(_)) => "an object".to_owned(),
    }
}

/// A value shown inside a reason: quoted, control characters escaped, at most 80 characters.
pub(crate) fn shown(text: &str) -> String {
    const MAX: usize = 80;
    let mut cut: String = text.chars().take(MAX).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

/// Why a path used to build a request URL is unsafe (§14 D17), or `None` when it is fine.
pub(crate) fn unsafe_path(path: &str) -> Option<&'static str> {
    if path.chars().any(char::is_control) {
        return Some("contains a control character");
    }
    if path.contains('\\') {
        return Some("contains a backslash");
    }
    if path.contains('?') || path.contains('#') {
        return Some("contains '?' or '#'");
    }
    if path.contains("//") {
        return Some("contains '//'");
    }
    let lower = path.to_ascii_lowercase();
    if lower.contains("%2e") || lower.contains("%2f") {
        return Some("contains a percent-encoded '.' or '/'");
    }
    if path
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Some("contains a '.' or '..' path segment");
    }
    None
}

/// A kept provider row (§4.3 rule 2).
pub(crate) struct ProviderRow<'a> {
    pub(crate) index: usize,
    pub(crate) id: &'a str,
    pub(crate) display_name: &'a str,
    pub(crate) openai_compatible: bool,
    pub(crate) native_base_url: &'a str,
    pub(crate) routes: Vec<RouteRow<'a>>,
    pub(crate) models: Vec<ModelRow<'a>>,
}

/// A kept route (§4.3 rule 3). Only whether `methods` holds `POST` matters to §4.4.
pub(crate) struct RouteRow<'a> {
    pub(crate) path: &'a str,
    pub(crate) request_format: &'a str,
    pub(crate) post: bool,
}

/// A kept model row (§4.3 rule 4).
pub(crate) struct ModelRow<'a> {
    pub(crate) index: usize,
    pub(crate) id: &'a str,
    pub(crate) upstream: &'a str,
    pub(crate) display_name: Option<&'a str>,
    pub(crate) capabilities: Vec<&'a str>,
    pub(crate) efforts: Option<EffortSet>,
    pub(crate) pricing: Option<Pricing>,
    /// The raw row, for the optional advertised input modalities (§4.9).
    pub(crate) raw: &'a Object<'a>,
    /// Fields of this row that were ignored (reported only if the model is advertised).
    pub(crate) ignored: Vec<String>,
}

impl ModelRow<'_> {
    pub(crate) fn has_capability(&self, capability: &str) -> bool {
        self.capabilities.contains(&capability)
    }
}

/// The pricing fields the client reads (§4.3 rule 5), each absent when invalid.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Pricing {
    pub(crate) input: Option<f64>,
    pub(crate) output: Option<f64>,
    pub(crate) cached_input: Option<f64>,
    pub(crate) cache_write_5m: Option<f64>,
    pub(crate) cache_write_1h: Option<f64>,
    /// §14 D7: the generic cache-write price, the third fallback.
    pub(crate) cache_write_generic: Option<f64>,
    pub(crate) max_input_tokens: Option<u64>,
    pub(crate) default_max_output_tokens: Option<u64>,
}

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

fn price(pricing: &Object<'_>, field: &str, ignored: &mut Vec<String>) -> Option<f64> {
    let value = pricing.get(field)?;
    match value.as_f64() {
        Some(number) if number.is_finite() && number >= 0.0 => Some(number),
        _ => {
            ignored.push(format!(
                "pricing field {field} ignored: not a finite JSON number ≥ 0 (got {})",
                found(Some(value))
            ));
            None
        }
    }
}

fn token_limit(pricing: &Object<'_>, field: &str, ignored: &mut Vec<String>) -> Option<u64> {
    let value = pricing.get(field)?;
    match value.as_f64() {
        Some(number) if number.fract() == 0.0 && number > 0.0 && number <= MAX_SAFE_INTEGER => {
            // Integral, positive and below 2^53: the conversion is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(number as u64)
        }
        _ => {
            ignored.push(format!(
                "pricing field {field} ignored: not a positive integer (got {})",
                found(Some(value))
            ));
            None
        }
    }
}

fn pricing(value: Option<&Json<'_>>, ignored: &mut Vec<String>) -> Option<Pricing> {
    let pricing = match value? {
        Json::Object(pricing) => pricing,
        other => {
            ignored.push(format!(
                "pricing ignored: not an object (got {}); cost counts as 0",
                found(Some(other))
            ));
            return None;
        }
    };
    Some(Pricing {
        input: price(pricing, "inputMicrosPerMillion", ignored),
        output: price(pricing, "outputMicrosPerMillion", ignored),
        cached_input: price(pricing, "cachedInputMicrosPerMillion", ignored),
        cache_write_5m: price(pricing, "cacheWrite5mInputMicrosPerMillion", ignored),
        cache_write_1h: price(pricing, "cacheWrite1hInputMicrosPerMillion", ignored),
        cache_write_generic: price(pricing, "cacheWriteInputMicrosPerMillion", ignored),
        max_input_tokens: token_limit(pricing, "maxInputTokens", ignored),
        default_max_output_tokens: token_limit(pricing, "defaultMaxOutputTokens", ignored),
    })
}

/// Everything §4.3 reads from the `providers` array.
pub(crate) struct Rows<'a> {
    pub(crate) providers: Vec<ProviderRow<'a>>,
    pub(crate) dropped: Vec<DroppedRow>,
    pub(crate) ignored: Vec<IgnoredField>,
}

pub(crate) fn read_providers<'a>(providers: &'a [Json<'a>]) -> Rows<'a> {
    let mut rows = Rows {
        providers: Vec::with_capacity(providers.len()),
        dropped: Vec::new(),
        ignored: Vec::new(),
    };
    for (index, value) in providers.iter().enumerate() {
        if let Some(provider) = read_provider(index, value, &mut rows) {
            rows.providers.push(provider);
        }
    }
    rows
}

fn read_provider<'a>(
    index: usize,
    value: &'a Json<'a>,
    rows: &mut Rows<'a>,
) -> Option<ProviderRow<'a>> {
    let mut drop = |provider: Option<&str>, reason: String| {
        rows.dropped.push(DroppedRow {
            kind: DropKind::Provider,
            provider: provider.map(str::to_owned),
            model: None,
            provider_row: index,
            model_row: None,
            reason,
        });
    };
    let Json::Object(row) = value else {
        drop(
            None,
            format!(
                "provider row #{index} dropped: not an object (got {})",
                found(Some(value))
            ),
        );
        return None;
    };
    let Some(id) = string(row.get("id")) else {
        drop(
            None,
            format!(
                "provider row #{index} dropped: id must be a non-empty string (got {})",
                found(row.get("id"))
            ),
        );
        return None;
    };
    let Some(native_base_url) = string(row.get("nativeBaseUrl")) else {
        drop(
            Some(id),
            format!(
                "provider dropped: nativeBaseUrl must be a string starting with {NATIVE_PREFIX} (got {})",
                found(row.get("nativeBaseUrl"))
            ),
        );
        return None;
    };
    if !native_base_url.starts_with(NATIVE_PREFIX) {
        drop(
            Some(id),
            format!(
                "provider dropped: nativeBaseUrl must start with {NATIVE_PREFIX} (got {})",
                shown(native_base_url)
            ),
        );
        return None;
    }
    if let Some(problem) = unsafe_path(native_base_url) {
        drop(
            Some(id),
            format!(
                "provider dropped: nativeBaseUrl {} {problem}; it must be a plain path under {NATIVE_PREFIX}",
                shown(native_base_url)
            ),
        );
        return None;
    }
    let display_name = string(row.get("displayName")).unwrap_or(id);
    let openai_compatible = matches!(row.get("openaiCompatible"), Some(Json::Bool(true)));

    let mut routes = Vec::new();
    match row.get("routes") {
        Some(Json::Array(entries)) => {
            for (route_index, entry) in entries.iter().enumerate() {
                match read_route(entry) {
                    Ok(route) => routes.push(route),
                    Err(reason) => rows.ignored.push(IgnoredField {
                        provider: id.to_owned(),
                        model: None,
                        reason: format!("route #{route_index} ignored: {reason}"),
                    }),
                }
            }
        }
        None => {}
        Some(other) => rows.ignored.push(IgnoredField {
            provider: id.to_owned(),
            model: None,
            reason: format!("routes ignored: not an array (got {})", found(Some(other))),
        }),
    }

    let mut models = Vec::new();
    match row.get("models") {
        Some(Json::Array(entries)) => {
            models.reserve(entries.len());
            for (model_index, entry) in entries.iter().enumerate() {
                match read_model(model_index, entry) {
                    Ok(model) => models.push(model),
                    Err((model, reason)) => rows.dropped.push(DroppedRow {
                        kind: DropKind::Model,
                        provider: Some(id.to_owned()),
                        model: model.map(str::to_owned),
                        provider_row: index,
                        model_row: Some(model_index),
                        reason,
                    }),
                }
            }
        }
        None => {}
        Some(other) => rows.ignored.push(IgnoredField {
            provider: id.to_owned(),
            model: None,
            reason: format!(
                "models ignored: not an array (got {}); the provider has no models",
                found(Some(other))
            ),
        }),
    }

    Some(ProviderRow {
        index,
        id,
        display_name,
        openai_compatible,
        native_base_url,
        routes,
        models,
    })
}

fn read_route<'a>(value: &'a Json<'a>) -> Result<RouteRow<'a>, String> {
    let Json::Object(row) = value else {
        return Err(format!("not an object (got {})", found(Some(value))));
    };
    let Some(path) = string(row.get("path")) else {
        return Err(format!(
            "path must be a non-empty string (got {})",
            found(row.get("path"))
        ));
    };
    let Some(request_format) = string(row.get("requestFormat")) else {
        return Err(format!(
            "requestFormat must be a non-empty string (got {})",
            found(row.get("requestFormat"))
        ));
    };
    let post = string_list(row.get("methods"))
        .into_iter()
        .any(|method| method == "POST" || method.to_uppercase() == "POST");
    Ok(RouteRow {
        path,
        request_format,
        post,
    })
}

type ModelDrop<'a> = (Option<&'a str>, String);

fn read_model<'a>(index: usize, value: &'a Json<'a>) -> Result<ModelRow<'a>, ModelDrop<'a>> {
    let Json::Object(row) = value else {
        return Err((
            None,
            format!(
                "model row #{index} dropped: not an object (got {})",
                found(Some(value))
            ),
        ));
    };
    let Some(id) = string(row.get("id")) else {
        return Err((
            None,
            format!(
                "model row #{index} dropped: id must be a non-empty string (got {})",
                found(row.get("id"))
            ),
        ));
    };
    let Some(upstream) = string(row.get("upstream")) else {
        return Err((
            Some(id),
            format!(
                "model dropped: upstream must be a non-empty string (got {})",
                found(row.get("upstream"))
            ),
        ));
    };
    let mut ignored = Vec::new();
    let display_name = string(row.get("displayName"));
    if display_name.is_none()
        && let Some(value) = row.get("displayName")
    {
        ignored.push(format!(
            "displayName ignored: not a non-empty string (got {}); the name is derived",
            found(Some(value))
        ));
    }
    let efforts = match row.get("supportedReasoningEfforts") {
        None => None,
        Some(value) => match efforts::normalize(value) {
            Ok(set) => Some(set),
            Err(reason) => {
                ignored.push(format!("supportedReasoningEfforts ignored: {reason}"));
                None
            }
        },
    };
    let pricing = pricing(row.get("pricing"), &mut ignored);
    Ok(ModelRow {
        index,
        id,
        upstream,
        display_name,
        capabilities: string_list(row.get("capabilities")),
        efforts,
        pricing,
        raw: row,
        ignored,
    })
}
