//! Model refs, `clawrouter/<catalog id>` (PROTOCOL.md §1), and selecting a model by ref with an
//! optional allowlist (issue 5: `Unknown model: …` with the closest granted refs).

use std::fmt;
use std::str::FromStr;

/// The provider prefix of every ref.
pub const REF_PREFIX: &str = "clawrouter/";

/// How many near matches an `Unknown model` error suggests.
const SUGGESTIONS: usize = 3;

/// A user-facing model ref: `clawrouter/<catalog model id>`.
///
/// ```
/// use clawrouter_catalog::ModelRef;
///
/// let model_ref: ModelRef = "clawrouter/openai/gpt-5.5".parse().unwrap();
/// assert_eq!(model_ref.catalog_id(), "openai/gpt-5.5");
/// assert_eq!(model_ref.to_string(), "clawrouter/openai/gpt-5.5");
/// assert!("openai/gpt-5.5".parse::<ModelRef>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelRef {
    id: String,
}

impl ModelRef {
    /// The ref of a catalog id.
    pub fn new(catalog_id: &str) -> Self {
        ModelRef {
            id: catalog_id.to_owned(),
        }
    }

    /// Parses `clawrouter/<id>` (surrounding whitespace ignored; the id must not be empty).
    pub fn parse(text: &str) -> Result<Self, ModelRefError> {
        match text.trim().strip_prefix(REF_PREFIX) {
            Some(id) if !id.is_empty() => Ok(ModelRef::new(id)),
            _ => Err(ModelRefError::NotARef {
                input: text.to_owned(),
                suggestion: None,
            }),
        }
    }

    /// The catalog id (`openai/gpt-5.5`).
    pub fn catalog_id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for ModelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{REF_PREFIX}{}", self.id)
    }
}

impl FromStr for ModelRef {
    type Err = ModelRefError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ModelRef::parse(text)
    }
}

/// Why a model ref selects no model.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelRefError {
    /// The text is not of the form `clawrouter/<catalog id>`.
    #[error(
        "model ref {input:?} must look like clawrouter/<catalog model id>, e.g. clawrouter/openai/gpt-5.5{}",
        suggestion.as_ref().map(|s| format!(" (did you mean {s}?)")).unwrap_or_default()
    )]
    NotARef {
        /// The text given.
        input: String,
        /// The granted ref it probably meant (`clawrouter/` + the text), when there is one.
        suggestion: Option<String>,
    },
    /// The ref is not in the catalog the key grants.
    #[error("Unknown model: {model_ref}{}", closest_text(closest))]
    Unknown {
        /// The ref asked for.
        model_ref: String,
        /// The closest granted refs, closest first (empty when the key grants none).
        closest: Vec<String>,
    },
    /// The key grants the model but the caller's allowlist does not list it.
    #[error(
        "model {model_ref} is granted by the key but not in the model allowlist: add \"{model_ref}\" to the allowlist to use it"
    )]
    NotAllowed {
        /// The ref asked for.
        model_ref: String,
    },
}

fn closest_text(closest: &[String]) -> String {
    if closest.is_empty() {
        " (the key grants no models)".to_owned()
    } else {
        format!(" (closest granted: {})", closest.join(", "))
    }
}

/// Only this many leading characters count for suggestions, so a hostile ref or id costs
/// bounded time.
const COMPARED_CHARS: usize = 256;

/// Levenshtein distance over characters, ASCII case folded (the first 256 characters of each).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let fold = |text: &str| -> Vec<char> {
        text.chars()
            .take(COMPARED_CHARS)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (a, b) = (fold(a), fold(b));
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = current.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let deletion = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insertion = current.get(j).copied().unwrap_or(0) + 1;
            if let Some(cell) = current.get_mut(j + 1) {
                *cell = substitution.min(deletion).min(insertion);
            }
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

/// The `SUGGESTIONS` candidates closest to `wanted`, ties in candidate order.
pub(crate) fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .enumerate()
        .map(|(order, candidate)| (edit_distance(wanted, candidate), order, candidate))
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, _, candidate)| candidate.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        for (a, b, expected) in [
            ("", "", 0),
            ("abc", "", 3),
            ("kitten", "sitting", 3),
            ("GPT-5.5", "gpt-5.6", 1),
            ("😀a", "a", 1),
        ] {
            assert_eq!(edit_distance(a, b), expected, "{a} vs {b}");
        }
    }
}
