//! Per-transport tool-call id rules of the conversion (POLICY.md §3.2 "Tool-call id rules
//! summary"). The normaliser applies only to calls of **cross-model** assistants
//! ([`transform_messages`](super::transform_messages) decides); same-model ids are only trimmed.

use clawrouter_wire::transport::Transport;

use super::RequestSpec;
use crate::conversation::AssistantMessage;

/// The id normaliser a transport hands to `transformMessages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdNormalizer {
    /// `openai-completions`: `C|I` → `C` with non-`[A-Za-z0-9_-]` → `_`, cut to 40; else, when
    /// the target provider is `openai`, cut to 40; else unchanged.
    Completions {
        /// The target provider is `openai`.
        openai_provider: bool,
    },
    /// `openai-responses`: a provider outside the allowed list → the whole id with
    /// non-`[A-Za-z0-9_-]` → `_`, cut to 64, trailing `_` stripped; an allowed provider keeps
    /// `C|I` paired (`I` → `fc_<shortHash>` from a foreign source).
    Responses {
        /// The target provider is one whose ids pi-ai keeps paired (`openai`, `opencode`).
        allowed_provider: bool,
        /// The target provider and api, to tell a foreign source.
        provider_api: (&'static str, &'static str),
    },
    /// `anthropic-messages`: non-`[A-Za-z0-9_-]` → `_`, cut to 64.
    Anthropic,
    /// `google-generative-ai`: as Anthropic when the target model id starts with `claude-` or
    /// `gpt-oss-`; else unchanged.
    Google {
        /// The rule applies (the target model is Claude or gpt-oss).
        applies: bool,
    },
}

/// The normaliser for `transport` and the request's target.
pub fn normalizer(transport: Transport, spec: &RequestSpec<'_>) -> IdNormalizer {
    match transport {
        Transport::OpenAiCompletions => IdNormalizer::Completions {
            openai_provider: spec.provider == "openai",
        },
        Transport::OpenAiResponses => IdNormalizer::Responses {
            // The fork's list (§3.2): `openai`, `opencode`. ClawRouter's provider is neither.
            allowed_provider: matches!(spec.provider, "openai" | "opencode"),
            provider_api: (
                if spec.provider == "openai" {
                    "openai"
                } else {
                    "opencode"
                },
                "openai-responses",
            ),
        },
        Transport::AnthropicMessages => IdNormalizer::Anthropic,
        Transport::GoogleGenerativeAi => {
            let bare = bare_model_id(spec.model);
            IdNormalizer::Google {
                applies: bare.starts_with("claude-") || bare.starts_with("gpt-oss-"),
            }
        }
    }
}

/// The model id without a vendor prefix (`google/gemini-3` → `gemini-3`).
pub(crate) fn bare_model_id(model: &str) -> &str {
    model.rsplit('/').next().unwrap_or(model)
}

impl IdNormalizer {
    /// Maps the (trimmed) id of a call from the cross-model assistant `source`.
    pub fn apply(&self, id: &str, source: &AssistantMessage) -> String {
        match *self {
            IdNormalizer::Completions { openai_provider } => {
                if let Some((call, _)) = id.split_once('|') {
                    cut_utf16(&replace_unsafe(call), 40)
                } else if openai_provider {
                    cut_utf16(id, 40)
                } else {
                    id.to_owned()
                }
            }
            IdNormalizer::Responses {
                allowed_provider,
                provider_api,
            } => normalize_responses(id, allowed_provider, provider_api, source),
            IdNormalizer::Anthropic => cut_utf16(&replace_unsafe(id), 64),
            IdNormalizer::Google { applies } => {
                if applies {
                    cut_utf16(&replace_unsafe(id), 64)
                } else {
                    id.to_owned()
                }
            }
        }
    }
}

/// `openai-responses`: a provider outside the allowed list → the whole id with
/// non-`[A-Za-z0-9_-]` → `_`, cut to 64, trailing `_` stripped. An allowed provider and `C|I` →
/// `C` normalised that way and `I` → `fc_<shortHash(I)>` when the source provider/api differ,
/// else normalised, with the prefix `fc_` forced.
fn normalize_responses(
    id: &str,
    allowed_provider: bool,
    (provider, api): (&str, &str),
    source: &AssistantMessage,
) -> String {
    let clean = |part: &str| {
        let cut = cut_utf16(&replace_unsafe(part), 64);
        cut.trim_end_matches('_').to_owned()
    };
    if !allowed_provider {
        return clean(id);
    }
    let Some((call, item)) = id.split_once('|') else {
        return clean(id);
    };
    let foreign =
        source.provider.as_deref() != Some(provider) || source.api.as_deref() != Some(api);
    let item = if foreign {
        format!("fc_{}", short_hash(item))
    } else {
        let item = clean(item);
        if item.starts_with("fc_") {
            item
        } else {
            cut_utf16(&format!("fc_{item}"), 64)
        }
    };
    format!("{}|{item}", clean(call))
}

/// Every character outside `[A-Za-z0-9_-]` becomes `_` (one `_` per character).
pub(crate) fn replace_unsafe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The longest prefix of at most `limit` UTF-16 code units (POLICY.md §6.2 PD7), never
/// splitting a character.
pub(crate) fn cut_utf16(id: &str, limit: usize) -> String {
    let mut units = 0;
    let mut end = 0;
    for (at, c) in id.char_indices() {
        units += c.len_utf16();
        if units > limit {
            break;
        }
        end = at + c.len_utf8();
    }
    id.get(..end).unwrap_or_default().to_owned()
}

/// pi-ai's `shortHash` (POLICY.md §3.2, §6.2 PD10): two 32-bit multiply-xor lanes over the
/// UTF-16 code units, rendered in base 36 (second lane first). Ported from pi-ai's
/// `utils/hash` as we read it; byte-identity with pi-ai is not verified against a recording,
/// and nothing on ClawRouter depends on it (ids only need to be consistent within a request).
pub fn short_hash(text: &str) -> String {
    let mut h1: u32 = 0xdead_beef;
    let mut h2: u32 = 0x41c6_ce57;
    for unit in text.encode_utf16() {
        let ch = u32::from(unit);
        h1 = (h1 ^ ch).wrapping_mul(2_654_435_761);
        h2 = (h2 ^ ch).wrapping_mul(1_597_334_677);
    }
    h1 = (h1 ^ (h1 >> 16)).wrapping_mul(2_246_822_507)
        ^ (h2 ^ (h2 >> 13)).wrapping_mul(3_266_489_909);
    h2 = (h2 ^ (h2 >> 16)).wrapping_mul(2_246_822_507)
        ^ (h1 ^ (h1 >> 13)).wrapping_mul(3_266_489_909);
    format!("{}{}", base36(h2), base36(h1))
}

fn base36(mut n: u32) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        let digit = DIGITS.get((n % 36) as usize).copied().unwrap_or(b'0');
        out.push(digit);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
