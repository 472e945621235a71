//! JSON helpers shared by the transport decoders.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::events::StreamEvent;

/// Whether a frame's payload is empty or only JSON whitespace. Such frames carry nothing and are
/// skipped (fixtures README, "Rules shared by all SSE transports").
pub(crate) fn is_blank(data: &str) -> bool {
    data.bytes()
        .all(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\r'))
}

/// The [`StreamEvent::Unrecognized`] for a payload that did not deserialize.
pub(crate) fn unrecognized<'a>(error: &serde_json::Error, raw: &'a str) -> StreamEvent<'a> {
    let reason = if error.is_syntax() || error.is_eof() {
        format!("not JSON: {error}")
    } else {
        format!("unexpected JSON shape: {error}")
    };
    StreamEvent::Unrecognized {
        reason: Cow::Owned(reason),
        raw: Cow::Borrowed(raw),
    }
}

/// A protobuf enum as JSON: its name (`"STOP"`), or its number (`1`) when the client asked for
/// `enum-encoding=int`. Also accepts any other number where a code may be numeric.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NameOrNumber<'a> {
    /// The value as a string, borrowed when it had no escapes.
    Name(Cow<'a, str>),
    /// The value as a number (integers only; a float is an error).
    Number(i64),
}

impl<'a> NameOrNumber<'a> {
    /// The value as text: the name, or the number's decimal digits.
    pub(crate) fn into_text(self) -> Cow<'a, str> {
        match self {
            NameOrNumber::Name(name) => name,
            NameOrNumber::Number(number) => Cow::Owned(number.to_string()),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for NameOrNumber<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameOrNumberVisitor<'a>(std::marker::PhantomData<&'a ()>);

        impl<'de: 'a, 'a> Visitor<'de> for NameOrNumberVisitor<'a> {
            type Value = NameOrNumber<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }

            fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
                Ok(NameOrNumber::Name(Cow::Borrowed(value)))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(NameOrNumber::Name(Cow::Owned(value.to_owned())))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
                Ok(NameOrNumber::Name(Cow::Owned(value)))
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
                Ok(NameOrNumber::Number(value))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
                i64::try_from(value)
                    .map(NameOrNumber::Number)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(value), &self))
            }
        }

        deserializer.deserialize_any(NameOrNumberVisitor(std::marker::PhantomData))
    }
}

// ---------------------------------------------------------------------------------------------
// Lenient scalars and error payloads (used by the OpenAI decoders; self-contained).
// ---------------------------------------------------------------------------------------------

/// Any JSON value read leniently as text: a string (borrowed from the frame when it has no
/// escapes), a number as its decimal text; `null`, booleans, objects and arrays as `None` (and
/// skipped). A field of this type never makes the surrounding payload fail to deserialize.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LenientStr<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'a> LenientStr<'a> {
    /// The text, if it is present and not empty.
    pub(crate) fn non_empty(&self) -> Option<&Cow<'a, str>> {
        self.0.as_ref().filter(|text| !text.is_empty())
    }

    /// The text, if it is present and not empty (by value).
    pub(crate) fn into_non_empty(self) -> Option<Cow<'a, str>> {
        self.0.filter(|text| !text.is_empty())
    }

    /// Whether the value is exactly `text`.
    pub(crate) fn is(&self, text: &str) -> bool {
        self.0.as_deref() == Some(text)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for LenientStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LenientStrVisitor<'a>(std::marker::PhantomData<&'a ()>);

        impl<'de: 'a, 'a> Visitor<'de> for LenientStrVisitor<'a> {
            type Value = LenientStr<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Borrowed(value))))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Owned(value.to_owned()))))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Owned(value))))
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Owned(value.to_string()))))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Owned(value.to_string()))))
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Owned(value.to_string()))))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(LenientStr(None))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LenientStr(None))
            }

            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LenientStr(None))
            }

            fn visit_some<D: Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Self::Value, D::Error> {
                deserializer.deserialize_any(self)
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(LenientStr(None))
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(LenientStr(None))
            }
        }

        deserializer.deserialize_any(LenientStrVisitor(std::marker::PhantomData))
    }
}

/// A token count or index read leniently: a non-negative integer, a non-negative finite float
/// (truncated) or a numeric string; anything else (`null`, negative, objects …) as `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LenientCount(pub(crate) Option<u64>);

impl<'de> Deserialize<'de> for LenientCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LenientCountVisitor;

        impl<'de> Visitor<'de> for LenientCountVisitor {
            type Value = LenientCount;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a count")
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
                Ok(LenientCount(Some(value)))
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
                Ok(LenientCount(u64::try_from(value).ok()))
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
                let valid = (0.0..18_446_744_073_709_551_616.0).contains(&value);
                Ok(LenientCount(valid.then_some(value as u64)))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(LenientCount(value.trim().parse().ok()))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(LenientCount(None))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LenientCount(None))
            }

            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LenientCount(None))
            }

            fn visit_some<D: Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Self::Value, D::Error> {
                deserializer.deserialize_any(self)
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(LenientCount(None))
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(LenientCount(None))
            }
        }

        deserializer.deserialize_any(LenientCountVisitor)
    }
}

/// An error object as the OpenAI-style APIs nest it: `{"message", "type", "code", "param"}`
/// (plus Gemini's `status`). Every field is optional and lenient.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ErrorObject<'a> {
    /// Human-readable message.
    #[serde(borrow)]
    pub(crate) message: LenientStr<'a>,
    /// Error type (`server_error`, `insufficient_quota` …).
    #[serde(borrow, rename = "type")]
    pub(crate) kind: LenientStr<'a>,
    /// Error code (string or number).
    #[serde(borrow)]
    pub(crate) code: LenientStr<'a>,
    /// Status name (Gemini).
    #[serde(borrow)]
    pub(crate) status: LenientStr<'a>,
}

impl<'a> ErrorObject<'a> {
    /// The error as a [`crate::events::ProviderError`]: `code` is the code, else the type, else the status.
    pub(crate) fn into_provider_error(self, raw: &'a str) -> crate::events::ProviderError<'a> {
        let code = self
            .code
            .into_non_empty()
            .or_else(|| self.kind.into_non_empty())
            .or_else(|| self.status.into_non_empty());
        provider_error(code, self.message.into_non_empty(), raw)
    }
}

/// A top-level `error` member: an object, a bare string, or nothing (`null`, `false`, absent).
#[derive(Clone, Debug, Default)]
pub(crate) enum ErrorMember<'a> {
    /// Absent, `null` or otherwise empty.
    #[default]
    Absent,
    /// `"error": "message"` (or a number).
    Text(Cow<'a, str>),
    /// `"error": {…}`.
    Object(ErrorObject<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for ErrorMember<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ErrorMemberVisitor<'a>(std::marker::PhantomData<&'a ()>);

        impl<'de: 'a, 'a> Visitor<'de> for ErrorMemberVisitor<'a> {
            type Value = ErrorMember<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an error object or message")
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                ErrorObject::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(ErrorMember::Object)
            }

            fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
                Ok(ErrorMember::Text(Cow::Borrowed(value)))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(ErrorMember::Text(Cow::Owned(value.to_owned())))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
                Ok(ErrorMember::Text(Cow::Owned(value)))
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
                Ok(ErrorMember::Text(Cow::Owned(value.to_string())))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
                Ok(ErrorMember::Text(Cow::Owned(value.to_string())))
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
                Ok(ErrorMember::Text(Cow::Owned(value.to_string())))
            }

            fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
                Ok(if value {
                    ErrorMember::Text(Cow::Borrowed("true"))
                } else {
                    ErrorMember::Absent
                })
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ErrorMember::Absent)
            }

            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ErrorMember::Absent)
            }

            fn visit_some<D: Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Self::Value, D::Error> {
                deserializer.deserialize_any(self)
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                // An array of errors: keep the first object or string.
                let mut first = ErrorMember::Absent;
                while let Some(element) = seq.next_element::<ErrorMember<'a>>()? {
                    if matches!(first, ErrorMember::Absent) {
                        first = element;
                    }
                }
                Ok(first)
            }
        }

        deserializer.deserialize_any(ErrorMemberVisitor(std::marker::PhantomData))
    }
}

/// The members an error payload may have, in every shape the OpenAI-style transports send.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ErrorEnvelope<'a> {
    #[serde(borrow)]
    error: ErrorMember<'a>,
    #[serde(borrow)]
    object: LenientStr<'a>,
    #[serde(borrow, rename = "type")]
    kind: LenientStr<'a>,
    #[serde(borrow)]
    code: LenientStr<'a>,
    #[serde(borrow)]
    message: LenientStr<'a>,
}

/// Reads `raw` as an in-stream error payload, if it is one. Accepted shapes:
///
/// - `{"error": {"message", "type", "code", "param"}}` (OpenAI, Azure; also the nested Responses
///   `error` event `{"type": "error", "error": {…}}` and Anthropic's): code = `code`, else `type`;
/// - `{"error": "text"}`: message = the text, code = a top-level `code` if any;
/// - vLLM `{"object": "error", "message", "type", "code"}`: code = `code`, else `type`;
/// - the flat Responses `error` event `{"type": "error", "code", "message", "param"}`.
///
/// Returns `None` when `raw` is not a JSON object or has none of these shapes.
pub(crate) fn error_payload(raw: &str) -> Option<crate::events::ProviderError<'_>> {
    let envelope: ErrorEnvelope<'_> = serde_json::from_str(raw).ok()?;
    match envelope.error {
        ErrorMember::Object(object) => Some(object.into_provider_error(raw)),
        ErrorMember::Text(message) => Some(provider_error(
            envelope.code.into_non_empty(),
            Some(message).filter(|message| !message.is_empty()),
            raw,
        )),
        ErrorMember::Absent if envelope.object.is("error") => {
            let code = envelope
                .code
                .into_non_empty()
                .or_else(|| envelope.kind.into_non_empty());
            Some(provider_error(code, envelope.message.into_non_empty(), raw))
        }
        ErrorMember::Absent if envelope.kind.is("error") => Some(provider_error(
            envelope.code.into_non_empty(),
            envelope.message.into_non_empty(),
            raw,
        )),
        ErrorMember::Absent => None,
    }
}

/// An error for a frame that announced itself as one (`event: error`) but has no recognizable
/// error shape: the payload itself is the message.
pub(crate) fn error_frame(raw: &str) -> crate::events::ProviderError<'_> {
    error_payload(raw).unwrap_or_else(|| {
        let text = raw.trim();
        provider_error(
            None,
            Some(Cow::Borrowed(text)).filter(|text| !text.is_empty()),
            raw,
        )
    })
}

fn provider_error<'a>(
    code: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
    raw: &'a str,
) -> crate::events::ProviderError<'a> {
    crate::events::ProviderError {
        code,
        message: message.unwrap_or(Cow::Borrowed(
            "the provider reported an error without a message",
        )),
        raw: Cow::Borrowed(raw),
    }
}

/// The [`StreamEvent::Unrecognized`] for a payload that is not a JSON object (checked by its first
/// byte, so that an array is not taken for a struct), or `None` when it looks like one.
pub(crate) fn not_an_object(raw: &str) -> Option<StreamEvent<'_>> {
    if raw.trim_start().starts_with('{') {
        return None;
    }
    let reason = match serde_json::from_str::<de::IgnoredAny>(raw) {
        Ok(_) => Cow::Borrowed("not a JSON object"),
        Err(error) => Cow::Owned(format!("not JSON: {error}")),
    };
    Some(StreamEvent::Unrecognized {
        reason,
        raw: Cow::Borrowed(raw),
    })
}

// ---------------------------------------------------------------------------------------------
// Borrowed optional strings (used by the Anthropic and Gemini decoders; self-contained).
// ---------------------------------------------------------------------------------------------

/// `deserialize_with` for an `Option<Cow<'a, str>>` field that borrows from the frame when the
/// string has no escapes (serde's own `Cow` impl always copies, and `#[serde(borrow)]` only helps
/// a bare `Cow`, not one inside an `Option`). `null` is `None`; a non-string is an error. Use with
/// `#[serde(borrow, default, deserialize_with = "...")]`.
pub(crate) fn borrowed_opt_str<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    struct OptionVisitor<'a>(std::marker::PhantomData<&'a ()>);
    struct StrVisitor<'a>(std::marker::PhantomData<&'a ()>);

    impl<'de: 'a, 'a> Visitor<'de> for StrVisitor<'a> {
        type Value = Cow<'a, str>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
            Ok(Cow::Borrowed(value))
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
            Ok(Cow::Owned(value.to_owned()))
        }

        fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
            Ok(Cow::Owned(value))
        }
    }

    impl<'de: 'a, 'a> Visitor<'de> for OptionVisitor<'a> {
        type Value = Option<Cow<'a, str>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            deserializer
                .deserialize_str(StrVisitor(std::marker::PhantomData))
                .map(Some)
        }
    }

    deserializer.deserialize_option(OptionVisitor(std::marker::PhantomData))
}
