//! Scenario files: the built-in one, TOML and JSON forms, and the errors.

use clawrouter_emulator::scenario::DEFAULT_SCENARIO_TOML;
use clawrouter_emulator::{Scenario, ScenarioError};

#[test]
fn the_built_in_scenario_loads() {
    let scenario = Scenario::from_toml_str(DEFAULT_SCENARIO_TOML).unwrap();
    assert_eq!(scenario, Scenario::default());
    assert_eq!(scenario.keys.len(), 6);
    assert_eq!(scenario.keys_labelled("demo").count(), 1);
    assert!(scenario.keys.iter().any(|key| key.revoked));
    // The file in the repository is the one compiled in.
    let file = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/default.toml"
    ))
    .unwrap();
    assert_eq!(file, DEFAULT_SCENARIO_TOML);
}

#[test]
fn json_form() {
    let json = r#"{
      "settings": {"tenant": "acme", "chunkDelayMs": 0},
      "keys": [{"key": "ocpk_live_abcd_0123456789", "policy": "p"}],
      "policies": [{"id": "p", "providers": ["anthropic"], "models": ["*"], "monthlyBudgetUsd": 2.5}],
      "providers": [{"id": "anthropic", "displayName": "Anthropic", "nativeBaseUrl": "/v1/native/anthropic",
                     "routes": [{"path": "/v1/messages", "requestFormat": "anthropic.messages"}],
                     "models": [{"id": "anthropic/x", "upstream": "x", "capabilities": ["llm.messages"]}]}]
    }"#;
    let scenario = Scenario::from_json_str(json).unwrap();
    assert_eq!(scenario.settings.tenant, "acme");
    assert_eq!(scenario.policies[0].budget_micros(), Some(2_500_000));
    assert_eq!(scenario.providers[0].routes[0].methods, ["POST"]);
}

#[test]
fn errors_say_what_is_wrong_without_the_key() {
    let key = "clawrouter-test-abcd-0123456789";
    let cases = [
        (
            format!("[[keys]]\nkey = \"{key}\"\npolicy = \"nope\"\n"),
            "invalid scenario: key #1 () names the unknown policy \"nope\"",
        ),
        (
            "[[keys]]\nkey = \"sk-secret-value\"\npolicy = \"p\"\n".to_owned(),
            "not a ClawRouter proxy key",
        ),
        (
            "[[policies]]\nid = \"p\"\n[[policies]]\nid = \"p\"\n".to_owned(),
            "invalid scenario: policy \"p\" is defined twice",
        ),
        (
            "[[policies]]\nid = \"p\"\nmonthlyBudgetUsd = -1.0\n".to_owned(),
            "invalid scenario: policy \"p\": monthlyBudgetUsd must be a finite amount ≥ 0",
        ),
        (
            "[settings]\nspeed = 3\n".to_owned(),
            "unknown field `speed`",
        ),
        (
            format!(
                "[[policies]]\nid = \"p\"\n[[keys]]\nkey = \"{key}\"\npolicy = \"p\"\n[[keys]]\nkey = \"{key}\"\npolicy = \"p\"\n"
            ),
            "invalid scenario: key #2 is listed twice",
        ),
    ];
    for (text, expected) in cases {
        let error = Scenario::from_toml_str(&text).unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
        assert!(!error.contains(key), "{error}");
        assert!(!error.contains("sk-secret-value"), "{error}");
    }
    let missing = Scenario::load(std::path::Path::new("/nonexistent/scenario.toml")).unwrap_err();
    assert!(matches!(missing, ScenarioError::Read { .. }));
    assert!(
        missing
            .to_string()
            .starts_with("cannot read the scenario file /nonexistent/scenario.toml")
    );
}
