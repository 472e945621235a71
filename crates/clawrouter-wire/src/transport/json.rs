//! JSON helpers shared by the transport decoders.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::value::RawValue;

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
// Objects filled in place
// ---------------------------------------------------------------------------------------------

/// A struct filled from a JSON object one member at a time, in place (see [`fill_from_str`]).
///
/// `#[derive(Deserialize)]` builds every nested struct in a local of its own and returns it by
/// value, so a payload struct of a few hundred bytes (an OpenAI chunk with its choice and delta)
/// is copied with `memcpy` a dozen times or more on its way up: about 30 % of the time of
/// decoding OpenAI chat chunks. Filling the caller's struct through a [`de::DeserializeSeed`]
/// moves nothing. Members the struct does not name are skipped; a repeated member overwrites the
/// earlier one (as serde_json's `Value` does; derive would reject the payload).
pub(crate) trait FillFromObject<'de> {
    /// Reads the value of member `key` from `map` into `self`, or skips it.
    fn member<A: de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

/// Fills `data` (one JSON object) into `out`, which the caller has set to its defaults.
pub(crate) fn fill_from_str<'de, T: FillFromObject<'de>>(
    data: &'de str,
    out: &mut T,
) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(data);
    de::DeserializeSeed::deserialize(Fill(out), &mut deserializer)?;
    deserializer.end()
}

/// A seed that fills `T` from a JSON object (anything else is an error).
pub(crate) struct Fill<'x, T>(pub(crate) &'x mut T);

impl<'de, T: FillFromObject<'de>> de::DeserializeSeed<'de> for Fill<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: FillFromObject<'de>> Visitor<'de> for Fill<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key<'de>>()? {
            self.0.member(&key.0, &mut map)?;
        }
        Ok(())
    }
}

/// A seed for an optional object member: `null` makes it `None`, an object fills
/// `Some(T::default())` in place.
pub(crate) struct FillOption<'x, T>(pub(crate) &'x mut Option<T>);

impl<'de, T: FillFromObject<'de> + Default> de::DeserializeSeed<'de> for FillOption<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: FillFromObject<'de> + Default> Visitor<'de> for FillOption<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let slot = self.0.insert(T::default());
        de::DeserializeSeed::deserialize(Fill(slot), deserializer)
    }
}

/// An entry of a `choices` / `candidates` array, which the decoders reduce to its first entry
/// with index 0 (see [`FirstIndexZero`]).
pub(crate) trait Indexed {
    /// The entry's `index`, if it has one (a missing index counts as 0).
    fn index(&self) -> Option<u64>;
}

/// Fills the first entry of an array whose index is 0 (or missing) in place; the entries after it
/// are skipped, `null` entries are none, and `null` instead of the array is no entry. With
/// `n > 1` the other completions are dropped: the neutral message holds one.
pub(crate) struct FirstIndexZero<'x, T>(pub(crate) &'x mut Option<T>);

impl<'de, T: FillFromObject<'de> + Default + Indexed> de::DeserializeSeed<'de>
    for FirstIndexZero<'_, T>
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: FillFromObject<'de> + Default + Indexed> Visitor<'de> for FirstIndexZero<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        *self.0 = None;
        while self.0.is_none() {
            // Filled where it is kept, then dropped again unless its index is 0.
            if seq.next_element_seed(FillOption(&mut *self.0))?.is_none() {
                return Ok(());
            }
            if self
                .0
                .as_ref()
                .is_some_and(|entry| entry.index().unwrap_or(0) != 0)
            {
                *self.0 = None;
            }
        }
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }
}

/// An object key, borrowed from the payload unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(BorrowedStrVisitor(std::marker::PhantomData))
            .map(Key)
    }
}

/// A string as a `Cow`, borrowed from the payload when it has no escapes (serde's own `Cow`
/// impl always copies).
struct BorrowedStrVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for BorrowedStrVisitor<'a> {
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

/// [`LenientStr`] for text fields that carry model output (Responses `delta`): the same leniency,
/// but an escaped string costs exactly one allocation (see [`string_literal`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LenientText<'a>(pub(crate) LenientStr<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for LenientText<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?.get();
        Ok(LenientText(LenientStr(match raw.as_bytes().first() {
            Some(b'"') => string_literal(raw),
            // A number, as written.
            Some(b'-' | b'0'..=b'9') => Some(Cow::Borrowed(raw)),
            // null, booleans, arrays, objects.
            _ => None,
        })))
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
                .deserialize_str(BorrowedStrVisitor(std::marker::PhantomData))
                .map(Some)
        }
    }

    deserializer.deserialize_option(OptionVisitor(std::marker::PhantomData))
}

/// [`borrowed_opt_str`] as a type, for the members of a [`FillFromObject`] struct.
pub(crate) struct OptStr<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for OptStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        borrowed_opt_str(deserializer).map(OptStr)
    }
}

/// [`opt_text`] as a type, for the members of a [`FillFromObject`] struct.
pub(crate) struct OptText<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for OptText<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        opt_text(deserializer).map(OptText)
    }
}

/// [`borrowed_opt_str`] for text fields that carry model output (`text`, `thinking`,
/// `partial_json`): the same contract, but an escaped string costs exactly one allocation (see
/// [`string_literal`]) instead of serde's scratch buffer plus a copy.
pub(crate) fn opt_text<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    let raw = <&'de RawValue>::deserialize(deserializer)?.get();
    if raw == "null" {
        return Ok(None);
    }
    string_literal(raw)
        .map(Some)
        .ok_or_else(|| de::Error::custom("expected a string or null"))
}

// ---------------------------------------------------------------------------------------------
// Strings with at most one allocation.
//
// serde's own string path copies an escaped string twice: into serde_json's scratch buffer
// (growing it as it goes) and then into an owned `String`. Capturing the literal as a borrowed
// `&RawValue` (serde_json validates it while skipping it, without copying) and unescaping it here
// into one exactly-sized `String` makes an escaped text delta cost one allocation, and a plain one
// none.

/// The text of a JSON string literal (`raw` includes the quotes): borrowed when it holds no
/// escape, else unescaped into one `String`. `None` when `raw` is not a string literal.
pub(crate) fn string_literal(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    // Most of these strings are short (ids, types, a token of text): a plain scan beats a
    // memchr call there; long ones go to memchr.
    let has_escape = if inner.len() < 64 {
        inner.as_bytes().contains(&b'\\')
    } else {
        memchr::memchr(b'\\', inner.as_bytes()).is_some()
    };
    if !has_escape {
        return Some(Cow::Borrowed(inner));
    }
    Some(Cow::Owned(unescape(inner)))
}

/// Resolves the escapes of a JSON string's content. A lone surrogate becomes U+FFFD (CLI.md's
/// input rules accept them); an invalid escape (which serde_json has already rejected before we
/// get here) is kept as written.
fn unescape(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => out.push(unicode_escape(&mut chars)),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The character of a `\uXXXX` escape (the `\u` already consumed), joining a surrogate pair.
fn unicode_escape(chars: &mut std::str::Chars<'_>) -> char {
    let Some(first) = hex4(chars) else {
        return char::REPLACEMENT_CHARACTER;
    };
    if (0xD800..0xDC00).contains(&first) {
        let mut lookahead = chars.clone();
        if lookahead.next() == Some('\\')
            && lookahead.next() == Some('u')
            && let Some(second) = hex4(&mut lookahead)
            && (0xDC00..0xE000).contains(&second)
        {
            *chars = lookahead;
            let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            return char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
        }
    }
    char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    (0..4).try_fold(0u32, |code, _| {
        Some(code * 16 + chars.next()?.to_digit(16)?)
    })
}

/// A JSON string that must be a string (anything else is a deserialization error), borrowed
/// when it has no escapes, else one allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonStr<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for JsonStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        string_literal(raw.get())
            .map(JsonStr)
            .ok_or_else(|| de::Error::custom("expected a string"))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A two-level struct filled in place, as the transport payloads are.
    #[derive(Debug, Default, PartialEq)]
    struct Outer<'a> {
        name: Option<Cow<'a, str>>,
        inner: Option<Inner>,
        first: Option<Inner>,
    }

    #[derive(Debug, Default, PartialEq)]
    struct Inner {
        index: Option<u64>,
        value: Option<u64>,
    }

    impl<'de> FillFromObject<'de> for Outer<'de> {
        fn member<A: de::MapAccess<'de>>(
            &mut self,
            key: &str,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match key {
                "name" => self.name = map.next_value::<OptStr<'de>>()?.0,
                "inner" => map.next_value_seed(FillOption(&mut self.inner))?,
                "list" => map.next_value_seed(FirstIndexZero(&mut self.first))?,
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
            Ok(())
        }
    }

    impl<'de> FillFromObject<'de> for Inner {
        fn member<A: de::MapAccess<'de>>(
            &mut self,
            key: &str,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match key {
                "index" => self.index = map.next_value()?,
                "value" => self.value = map.next_value()?,
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
            Ok(())
        }
    }

    impl Indexed for Inner {
        fn index(&self) -> Option<u64> {
            self.index
        }
    }

    fn fill(data: &str) -> Result<Outer<'_>, serde_json::Error> {
        let mut out = Outer::default();
        fill_from_str(data, &mut out).map(|()| out)
    }

    fn inner(index: Option<u64>, value: Option<u64>) -> Option<Inner> {
        Some(Inner { index, value })
    }

    #[test]
    fn fill_from_object_reads_members_in_place() {
        let out = fill(r#"{"x":[1,{"y":2}],"name":"n","inner":{"value":7,"z":null}}"#).unwrap();
        assert!(matches!(out.name, Some(Cow::Borrowed("n"))));
        assert_eq!(out.inner, inner(None, Some(7)));
        // A repeated member overwrites the earlier one, nested objects included.
        let out = fill(r#"{"inner":{"value":1,"index":4},"inner":{"value":2}}"#).unwrap();
        assert_eq!(out.inner, inner(None, Some(2)));
        // `null` is no object.
        assert_eq!(
            fill(r#"{"inner":{"value":1},"inner":null}"#).unwrap().inner,
            None
        );
        // Anything else where an object belongs, trailing bytes, or a non-object is an error.
        for bad in [
            r#"{"inner":[1]}"#,
            r#"{"inner":"x"}"#,
            "{} x",
            "[1]",
            r#"{"name":1}"#,
        ] {
            assert!(fill(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn first_index_zero_keeps_the_first_entry_with_index_zero() {
        let first = |list: &str| fill(&format!(r#"{{"list":{list}}}"#)).map(|out| out.first);
        assert_eq!(first("[]").unwrap(), None);
        assert_eq!(first("null").unwrap(), None);
        assert_eq!(
            first(r#"[{"value":1},{"value":2}]"#).unwrap(),
            inner(None, Some(1))
        );
        assert_eq!(
            first(r#"[{"index":1,"value":1},null,{"index":0,"value":2}]"#).unwrap(),
            inner(Some(0), Some(2))
        );
        assert_eq!(first(r#"[{"index":2,"value":1}]"#).unwrap(), None);
        // Entries after the chosen one are skipped, not read: their shape does not matter.
        assert_eq!(
            first(r#"[{"index":0,"value":3},"text",[1]]"#).unwrap(),
            inner(Some(0), Some(3))
        );
        // Before it, an entry that is not an object fails the payload.
        assert!(first(r#"["text",{"index":0}]"#).is_err());
        assert!(first(r#"{"index":0}"#).is_err());
    }

    #[test]
    fn string_literal_borrows_or_unescapes() {
        assert!(matches!(
            string_literal(r#""plain""#),
            Some(Cow::Borrowed("plain"))
        ));
        let cases = [
            (r#""a\"b\\c\/d""#, "a\"b\\c/d"),
            (r#""\b\f\n\r\t""#, "\u{8}\u{c}\n\r\t"),
            (r#""\u00e6\u20AC""#, "æ€"),
            (r#""\ud83d\ude00!""#, "😀!"),
            (r#""\ud800x""#, "\u{fffd}x"),
            (r#""\udc00""#, "\u{fffd}"),
            (r#""\ud800\u0041""#, "\u{fffd}A"),
        ];
        for (raw, expected) in cases {
            assert_eq!(string_literal(raw).as_deref(), Some(expected), "{raw}");
        }
        assert_eq!(string_literal("12"), None);
        assert_eq!(string_literal("\""), None);
    }

    proptest! {
        #[test]
        fn string_literal_agrees_with_serde_json(text in any::<String>()) {
            let raw = serde_json::to_string(&text).unwrap();
            let decoded = string_literal(&raw);
            prop_assert_eq!(decoded.as_deref(), Some(text.as_str()));
            // serde_json escapes non-ASCII too when asked; exercise \u escapes both ways.
            let ascii: String = text.chars().map(|c| if c.is_ascii() { c.to_string() } else {
                let mut buf = [0u16; 2];
                c.encode_utf16(&mut buf).iter().map(|unit| format!("\\u{unit:04x}")).collect()
            }).collect();
            let escaped = serde_json::to_string(&ascii).unwrap().replace("\\\\u", "\\u");
            // (A literal backslash-u in `text` can turn into a bad escape here: skip those.)
            let parsed = serde_json::from_str::<String>(&escaped);
            prop_assume!(parsed.is_ok());
            let via_serde = parsed.unwrap();
            let decoded = string_literal(&escaped);
            prop_assert_eq!(decoded.as_deref(), Some(via_serde.as_str()));
        }
    }
}
