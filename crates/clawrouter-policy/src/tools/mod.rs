//! Tool-schema normalization per tool family (POLICY.md §4; PROTOCOL.md §7.6–§7.7).
//!
//! The family follows the lower-cased **model-id prefix** (POLICY.md §0.1): `deepseek/` →
//! [`ToolFamily::DeepSeek`] (union flattening, §4.4), `google/` → [`ToolFamily::Gemini`] (the
//! Gemini cleaner, §4.5), `perplexity/` → [`ToolFamily::Perplexity`] (§4.6, PROTOCOL.md §7.7),
//! anything else → [`ToolFamily::OpenAi`] (§4.3), which acts only for provider `openai` on
//! OpenAI's own hosts and is therefore a pass-through on ClawRouter: [`normalize_tools`] returns
//! the input slice itself (`Cow::Borrowed`), without allocating.
//!
//! Normalization never fails and never mutates its input; it returns the tools plus a list of
//! [`SchemaDiagnostic`]s saying what was removed, inlined or rewritten, and where. Inspection
//! ([`inspect_tools`]) is the spec's diagnostics walker (§4.2) with each family's unsupported
//! set, in the spec's exact output shape.
//!
//! Hostile schemas are bounded ([`NormalizeLimits`]): every recursive walk counts its depth, and
//! `$ref` inlining counts the schema nodes it expands. A subtree past either limit is replaced by
//! `{}` (any value) and reported with [`SchemaAction::DepthLimitExceeded`] or
//! [`SchemaAction::RefExpansionLimitExceeded`] — never unbounded memory, never a stack overflow.
//!
//! The generic pass of §4.1 (`normalizeToolParameterSchema`), which the host runs *before* the
//! family hook, is [`generic::normalize_tool_parameter_schema`]. `normalize_tools` is the family
//! hook alone (§4.0 step 2): what `clawrouter policy tools` prints and what every §5 case of
//! sections I–M asserts.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::ToolDefinition;

mod deepseek;
mod gemini;
pub mod generic;
mod jsnum;
mod openai;
mod perplexity;
mod walker;

pub use deepseek::normalize_deepseek_schema;
pub use gemini::clean_schema_for_gemini;
pub use openai::{find_openai_strict_schema_violations, normalize_openai_strict_compat_schema};
pub use perplexity::normalize_perplexity_schema;
pub use walker::find_unsupported_schema_keywords;

/// The Gemini family's unsupported keywords (POLICY.md §4.5, baseline set of 22).
pub const GEMINI_UNSUPPORTED_KEYWORDS: &[&str] = &[
    "~optional",
    "patternProperties",
    "additionalProperties",
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "definitions",
    "examples",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "multipleOf",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "not",
];

/// The DeepSeek family's unsupported keywords (POLICY.md §4.4).
pub const DEEPSEEK_UNSUPPORTED_KEYWORDS: &[&str] = &["anyOf", "oneOf"];

/// The Perplexity family's unsupported keywords (POLICY.md §4.6, PROTOCOL.md §7.7).
pub const PERPLEXITY_UNSUPPORTED_KEYWORDS: &[&str] = &["patternProperties", "additionalProperties"];

/// A tool-schema family (POLICY.md §0.1, §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ToolFamily {
    /// OpenAI strict-compat normalization; on ClawRouter a pass-through (§4.3).
    OpenAi,
    /// DeepSeek: `anyOf` / `oneOf` collapsed (§4.4).
    DeepSeek,
    /// Google Gemini: the Gemini cleaner (§4.5).
    Gemini,
    /// Perplexity: `patternProperties` / `additionalProperties` dropped (§4.6).
    Perplexity,
}

impl ToolFamily {
    /// The family of a catalog model id, by its lower-cased prefix (POLICY.md §0.1).
    ///
    /// ```
    /// use clawrouter_policy::tools::ToolFamily;
    /// assert_eq!(ToolFamily::for_model("PeRpLeXiTy/sonar-pro"), ToolFamily::Perplexity);
    /// assert_eq!(ToolFamily::for_model("google/gemma-3"), ToolFamily::Gemini);
    /// assert_eq!(ToolFamily::for_model("x-ai/grok-4"), ToolFamily::OpenAi);
    /// ```
    pub fn for_model(model_id: &str) -> ToolFamily {
        let has_prefix = |prefix: &str| {
            model_id
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        };
        if has_prefix("deepseek/") {
            ToolFamily::DeepSeek
        } else if has_prefix("google/") {
            ToolFamily::Gemini
        } else if has_prefix("perplexity/") {
            ToolFamily::Perplexity
        } else {
            ToolFamily::OpenAi
        }
    }

    /// The keywords this family's inspection reports (the openai family reports nothing).
    pub fn unsupported_keywords(self) -> &'static [&'static str] {
        match self {
            ToolFamily::OpenAi => &[],
            ToolFamily::DeepSeek => DEEPSEEK_UNSUPPORTED_KEYWORDS,
            ToolFamily::Gemini => GEMINI_UNSUPPORTED_KEYWORDS,
            ToolFamily::Perplexity => PERPLEXITY_UNSUPPORTED_KEYWORDS,
        }
    }

    /// The family's name as the CLI prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            ToolFamily::OpenAi => "openai",
            ToolFamily::DeepSeek => "deepseek",
            ToolFamily::Gemini => "gemini",
            ToolFamily::Perplexity => "perplexity",
        }
    }
}

impl std::str::FromStr for ToolFamily {
    type Err = UnknownToolFamily;

    /// A family by its name (`openai`, `deepseek`, `gemini`, `perplexity`; POLICY.md §5 J3:
    /// an unknown family is an error).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "openai" => Ok(ToolFamily::OpenAi),
            "deepseek" => Ok(ToolFamily::DeepSeek),
            "gemini" => Ok(ToolFamily::Gemini),
            "perplexity" => Ok(ToolFamily::Perplexity),
            _ => Err(UnknownToolFamily {
                name: name.to_owned(),
            }),
        }
    }
}

/// A tool-schema family name that is not one of `openai`, `deepseek`, `gemini`, `perplexity`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown tool-schema family {name:?}: expected one of openai, deepseek, gemini, perplexity"
)]
pub struct UnknownToolFamily {
    /// The name that was given.
    pub name: String,
}

/// What the family hook sees of the model (POLICY.md §4.0 step 2). Only the openai family's
/// applicability gate (§4.3) reads `provider`, `model_api` and `base_url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolSchemaContext<'a> {
    /// The provider id (`clawrouter` for every ClawRouter model).
    pub provider: &'a str,
    /// The catalog model id, vendor prefix included (`google/gemini-3.5-flash`).
    pub model_id: &'a str,
    /// The transport (`openai-responses`, `anthropic-messages` …).
    pub model_api: &'a str,
    /// The model's base URL.
    pub base_url: &'a str,
}

impl<'a> ToolSchemaContext<'a> {
    /// A ClawRouter model: provider `clawrouter`, so the openai family never applies.
    pub fn clawrouter(model_id: &'a str) -> Self {
        ToolSchemaContext {
            provider: "clawrouter",
            model_id,
            model_api: "",
            base_url: "",
        }
    }
}

/// Bounds on the work one tool's schema may cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormalizeLimits {
    /// The deepest schema nesting followed (each schema node and each `properties`-like map
    /// counts one level). Deeper subtrees are replaced by `{}`.
    pub max_depth: usize,
    /// The most schema nodes `$ref` inlining may produce for one tool (guards against the
    /// exponential blow-up of definitions that reference each other several times).
    pub max_ref_expansion: usize,
}

impl NormalizeLimits {
    /// 128 levels (serde_json's own parse limit) and 20 000 inlined nodes.
    pub const DEFAULT: NormalizeLimits = NormalizeLimits {
        max_depth: 128,
        max_ref_expansion: 20_000,
    };
}

impl Default for NormalizeLimits {
    fn default() -> Self {
        NormalizeLimits::DEFAULT
    }
}

/// What normalization did at one place of a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum SchemaAction {
    /// The keyword was removed (unsupported by the family).
    Removed,
    /// A `$ref` was replaced by its definition.
    Inlined,
    /// A `$ref` could not be resolved and was replaced by `{}` (plus its annotations).
    Unresolved,
    /// A `$ref` already being expanded (a cycle) was replaced by `{}`.
    CycleBroken,
    /// The keyword's value was rewritten (`const` → `enum`, enum values stringified, `null`
    /// removed from a type array, an invalid `properties` replaced by `{}` …).
    Rewritten,
    /// An `anyOf` / `oneOf` union was collapsed into one schema.
    Collapsed,
    /// The keyword was added (`properties: {}`, `type`, `required: []` …).
    Added,
    /// The schema is nested deeper than [`NormalizeLimits::max_depth`]; the subtree at this
    /// path was replaced by `{}`.
    DepthLimitExceeded {
        /// The limit in force.
        limit: usize,
    },
    /// `$ref` inlining produced more than [`NormalizeLimits::max_ref_expansion`] nodes; the
    /// reference at this path was replaced by `{}`.
    RefExpansionLimitExceeded {
        /// The limit in force.
        limit: usize,
    },
}

impl fmt::Display for SchemaAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaAction::Removed => f.write_str("removed"),
            SchemaAction::Inlined => f.write_str("inlined"),
            SchemaAction::Unresolved => f.write_str("unresolved, replaced by {}"),
            SchemaAction::CycleBroken => f.write_str("cyclic, replaced by {}"),
            SchemaAction::Rewritten => f.write_str("rewritten"),
            SchemaAction::Collapsed => f.write_str("collapsed"),
            SchemaAction::Added => f.write_str("added"),
            SchemaAction::DepthLimitExceeded { limit } => write!(
                f,
                "nested deeper than {limit} levels; the subtree was replaced by {{}} — flatten the schema"
            ),
            SchemaAction::RefExpansionLimitExceeded { limit } => write!(
                f,
                "$ref inlining exceeded {limit} schema nodes; the reference was replaced by {{}} — reduce the definitions' mutual references"
            ),
        }
    }
}

/// One change made by normalization (or a limit it hit), with the tool and the JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaDiagnostic {
    /// The tool's position in the input list.
    pub tool_index: usize,
    /// The tool's name.
    pub tool_name: String,
    /// The path of the schema node, in the walker's notation:
    /// `<tool>.parameters.properties.x.items`, array elements as `[i]`.
    pub path: String,
    /// The keyword concerned (`format`, `$ref`, `anyOf` …); empty for a whole node.
    pub keyword: String,
    /// What was done.
    pub action: SchemaAction,
}

impl fmt::Display for SchemaDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.keyword.is_empty() {
            write!(f, "{}: {}", self.path, self.action)
        } else {
            write!(f, "{}.{}: {}", self.path, self.keyword, self.action)
        }
    }
}

/// The result of [`normalize_tools`].
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedTools<'a> {
    /// The family that was applied.
    pub family: ToolFamily,
    /// The tools to send: the input itself (`Cow::Borrowed`) when the family returned it
    /// unchanged (always for the openai family on ClawRouter), else new tools.
    pub tools: Cow<'a, [ToolDefinition]>,
    /// What was changed, in tool order and depth-first within a tool.
    pub diagnostics: Vec<SchemaDiagnostic>,
}

/// One tool's inspection result (POLICY.md §4.0 step 3, §4.2): serialized as
/// `{"toolName","toolIndex","violations":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolViolations {
    /// The tool's name.
    pub tool_name: String,
    /// The tool's position in the list.
    pub tool_index: usize,
    /// The paths of the violations, in the walker's order.
    pub violations: Vec<String>,
}

/// Normalizes `tools` for the ClawRouter model `model_id` (POLICY.md §4.0 step 2).
///
/// ```
/// use std::borrow::Cow;
/// use clawrouter_policy::ToolDefinition;
/// use clawrouter_policy::tools::normalize_tools;
/// use serde_json::json;
///
/// let tools = vec![ToolDefinition {
///     name: "exec".into(),
///     description: String::new(),
///     parameters: json!({"type": "object", "patternProperties": {".*": {"type": "string"}}}),
/// }];
/// let out = normalize_tools("perplexity/sonar-pro", &tools);
/// assert_eq!(out.tools[0].parameters, json!({"type": "object", "properties": {}}));
/// assert_eq!(out.diagnostics[0].to_string(), "exec.parameters.patternProperties: removed");
///
/// // Every other prefix but deepseek/, google/ and perplexity/: the very same slice.
/// assert!(matches!(normalize_tools("openai/gpt-5.5", &tools).tools, Cow::Borrowed(_)));
/// ```
pub fn normalize_tools<'a>(model_id: &str, tools: &'a [ToolDefinition]) -> NormalizedTools<'a> {
    normalize_tools_with(
        &ToolSchemaContext::clawrouter(model_id),
        tools,
        NormalizeLimits::DEFAULT,
    )
}

/// [`normalize_tools`] for any provider context and limits.
pub fn normalize_tools_with<'a>(
    context: &ToolSchemaContext<'_>,
    tools: &'a [ToolDefinition],
    limits: NormalizeLimits,
) -> NormalizedTools<'a> {
    normalize_tools_for_family(
        ToolFamily::for_model(context.model_id),
        context,
        tools,
        limits,
    )
}

/// Applies one given family, whatever the model id says (POLICY.md §5 J3: each family's
/// normalize hook on its own). The openai family still applies its gate to `context`.
pub fn normalize_tools_for_family<'a>(
    family: ToolFamily,
    context: &ToolSchemaContext<'_>,
    tools: &'a [ToolDefinition],
    limits: NormalizeLimits,
) -> NormalizedTools<'a> {
    let mut diagnostics = Vec::new();
    let tools = match family {
        ToolFamily::OpenAi => {
            if openai::applies(context) {
                map_changed(tools, |index, tool| {
                    let mut walk = Walk::new(index, tool, limits, &mut diagnostics);
                    openai::normalize_tool(&tool.parameters, &mut walk)
                })
            } else {
                Cow::Borrowed(tools)
            }
        }
        ToolFamily::DeepSeek => map_changed(tools, |index, tool| {
            let mut walk = Walk::new(index, tool, limits, &mut diagnostics);
            deepseek::normalize(&tool.parameters, &mut walk)
        }),
        ToolFamily::Gemini => Cow::Owned(map_objects(tools, |index, tool, params| {
            let mut walk = Walk::new(index, tool, limits, &mut diagnostics);
            gemini::clean_root(params, &mut walk)
        })),
        ToolFamily::Perplexity => Cow::Owned(map_objects(tools, |index, tool, params| {
            let mut walk = Walk::new(index, tool, limits, &mut diagnostics);
            perplexity::normalize(params, &mut walk)
        })),
    };
    NormalizedTools {
        family,
        tools,
        diagnostics,
    }
}

/// Inspects `tools` for the ClawRouter model `model_id` (POLICY.md §4.0 step 3): the tools with
/// at least one violation, in order. The openai family always reports nothing.
///
/// ```
/// use clawrouter_policy::ToolDefinition;
/// use clawrouter_policy::tools::inspect_tools;
/// use serde_json::json;
///
/// let tools = vec![ToolDefinition {
///     name: "healthy_tool".into(),
///     description: String::new(),
///     parameters: json!({"type":"object","properties":{"count":{"type":"integer","minimum":1}}}),
/// }];
/// let found = inspect_tools("google/gemini-3.5-flash", &tools);
/// assert_eq!(found[0].violations, ["healthy_tool.parameters.properties.count.minimum"]);
/// ```
pub fn inspect_tools(model_id: &str, tools: &[ToolDefinition]) -> Vec<ToolViolations> {
    let family = ToolFamily::for_model(model_id);
    tools
        .iter()
        .enumerate()
        .filter_map(|(tool_index, tool)| {
            let path = format!("{}.parameters", tool.name);
            let mut violations = Vec::new();
            walker::walk(
                &tool.parameters,
                &mut path.clone(),
                family.unsupported_keywords(),
                &mut violations,
                NormalizeLimits::DEFAULT.max_depth,
            );
            if family == ToolFamily::Perplexity {
                perplexity::missing_properties(
                    &tool.parameters,
                    &mut path.clone(),
                    &mut violations,
                    NormalizeLimits::DEFAULT.max_depth,
                );
            }
            (!violations.is_empty()).then(|| ToolViolations {
                tool_name: tool.name.clone(),
                tool_index,
                violations,
            })
        })
        .collect()
}

/// Applies `f` to every tool; `None` from `f` means "unchanged". Returns the input itself when
/// no tool changed.
fn map_changed<'a>(
    tools: &'a [ToolDefinition],
    mut f: impl FnMut(usize, &ToolDefinition) -> Option<Value>,
) -> Cow<'a, [ToolDefinition]> {
    let mut out: Option<Vec<ToolDefinition>> = None;
    for (index, tool) in tools.iter().enumerate() {
        if let Some(parameters) = f(index, tool) {
            let out = out.get_or_insert_with(|| tools.iter().take(index).cloned().collect());
            out.push(ToolDefinition {
                parameters,
                ..tool.clone()
            });
        } else if let Some(out) = out.as_mut() {
            out.push(tool.clone());
        }
    }
    out.map_or(Cow::Borrowed(tools), Cow::Owned)
}

/// Applies `f` to every tool whose `parameters` is an object; other tools are copied as they are
/// (POLICY.md §4.0: "tools whose parameters is absent or not an object pass through").
fn map_objects(
    tools: &[ToolDefinition],
    mut f: impl FnMut(usize, &ToolDefinition, &Map<String, Value>) -> Value,
) -> Vec<ToolDefinition> {
    tools
        .iter()
        .enumerate()
        .map(|(index, tool)| match &tool.parameters {
            Value::Object(params) => ToolDefinition {
                parameters: f(index, tool, params),
                ..tool.clone()
            },
            _ => tool.clone(),
        })
        .collect()
}

/// The state of one tool's walk: the current JSON path, the depth, the `$ref` expansion budget,
/// and where diagnostics go.
pub(crate) struct Walk<'d> {
    tool_index: usize,
    tool_name: String,
    path: String,
    depth: usize,
    expanded: usize,
    expansion_reported: bool,
    limits: NormalizeLimits,
    diagnostics: &'d mut Vec<SchemaDiagnostic>,
}

impl<'d> Walk<'d> {
    pub(crate) fn new(
        tool_index: usize,
        tool: &ToolDefinition,
        limits: NormalizeLimits,
        diagnostics: &'d mut Vec<SchemaDiagnostic>,
    ) -> Self {
        let mut path = String::with_capacity(tool.name.len() + 64);
        path.push_str(&tool.name);
        path.push_str(".parameters");
        Walk {
            tool_index,
            tool_name: tool.name.clone(),
            path,
            depth: 0,
            expanded: 0,
            expansion_reported: false,
            limits,
            diagnostics,
        }
    }

    /// A walk of a bare schema (no tool): paths start at `root`.
    pub(crate) fn bare(
        root: &str,
        limits: NormalizeLimits,
        diagnostics: &'d mut Vec<SchemaDiagnostic>,
    ) -> Self {
        Walk {
            tool_index: 0,
            tool_name: String::new(),
            path: root.to_owned(),
            depth: 0,
            expanded: 0,
            expansion_reported: false,
            limits,
            diagnostics,
        }
    }

    /// Goes one level down, into `.key`. `None` (and a diagnostic) when that would pass the
    /// depth limit; otherwise the mark to pass to [`Walk::leave`].
    pub(crate) fn enter_key(&mut self, key: &str) -> Option<usize> {
        let mark = self.path.len();
        self.path.push('.');
        self.path.push_str(key);
        self.descend(mark)
    }

    /// Goes one level down, into `[index]`.
    pub(crate) fn enter_index(&mut self, index: usize) -> Option<usize> {
        use fmt::Write as _;
        let mark = self.path.len();
        let _ = write!(self.path, "[{index}]");
        self.descend(mark)
    }

    fn descend(&mut self, mark: usize) -> Option<usize> {
        if self.depth >= self.limits.max_depth {
            let limit = self.limits.max_depth;
            self.note("", SchemaAction::DepthLimitExceeded { limit });
            self.path.truncate(mark);
            return None;
        }
        self.depth += 1;
        Some(mark)
    }

    /// Goes one level down without changing the path (a `$ref` expansion); `false` (and a
    /// diagnostic) when that would pass the depth limit.
    pub(crate) fn enter_same(&mut self) -> bool {
        let mark = self.path.len();
        self.descend(mark).is_some()
    }

    /// Comes back up from [`Walk::enter_same`].
    pub(crate) fn leave_same(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Comes back up from [`Walk::enter_key`] / [`Walk::enter_index`].
    pub(crate) fn leave(&mut self, mark: usize) {
        self.path.truncate(mark);
        self.depth = self.depth.saturating_sub(1);
    }

    /// Counts one node produced by `$ref` inlining; `false` (and one diagnostic per tool) when
    /// the budget is spent.
    pub(crate) fn spend_expansion(&mut self) -> bool {
        if self.expanded >= self.limits.max_ref_expansion {
            if !self.expansion_reported {
                self.expansion_reported = true;
                let limit = self.limits.max_ref_expansion;
                self.note("$ref", SchemaAction::RefExpansionLimitExceeded { limit });
            }
            return false;
        }
        self.expanded += 1;
        true
    }

    /// Records `action` on `keyword` at the current path.
    pub(crate) fn note(&mut self, keyword: &str, action: SchemaAction) {
        self.diagnostics.push(SchemaDiagnostic {
            tool_index: self.tool_index,
            tool_name: self.tool_name.clone(),
            path: self.path.clone(),
            keyword: keyword.to_owned(),
            action,
        });
    }
}
