//! What the server enforces before serving (PROTOCOL.md §1, §4.2, §4.4, §7.5): one table of
//! requests and the exact status and error code each gets.

use crate::support::{DEMO, EXHAUSTED, REVOKED, SCOPED, UNMETERED, send, start};

const CHAT: &str =
    r#"{"model":"openai/gpt-4.1-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}"#;
const CLAUDE: &str =
    r#"{"model":"claude-sonnet-4-6","stream":true,"messages":[{"role":"user","content":"hi"}]}"#;
const GEMINI: &str = r#"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#;
const GOOGLE: &str =
    "/v1/native/google-gemini/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse";

struct Case {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Option<&'static str>,
    status: u16,
    code: &'static str,
}

fn bearer(key: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {key}"))
}

fn case(
    name: &'static str,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Option<&'static str>,
    (status, code): (u16, &'static str),
) -> Case {
    Case {
        name,
        method,
        path,
        headers,
        body,
        status,
        code,
    }
}

#[tokio::test]
async fn rejections() {
    let emulator = start().await;
    let cases = vec![
        case(
            "no key",
            "GET",
            "/v1/catalog",
            vec![],
            None,
            (401, "client_auth_required"),
        ),
        case(
            "empty bearer",
            "GET",
            "/v1/catalog",
            vec![("authorization", "Bearer ".into())],
            None,
            (401, "client_auth_required"),
        ),
        case(
            "bad syntax",
            "GET",
            "/v1/catalog",
            vec![bearer("sk-not-a-clawrouter-key")],
            None,
            (401, "invalid_proxy_key"),
        ),
        case(
            "short secret",
            "GET",
            "/v1/catalog",
            vec![bearer("clawrouter-test-demo-short")],
            None,
            (401, "invalid_proxy_key"),
        ),
        case(
            "short kid",
            "GET",
            "/v1/catalog",
            vec![bearer("ocpk_live_abc_0123456789")],
            None,
            (401, "invalid_proxy_key"),
        ),
        case(
            "not bearer",
            "GET",
            "/v1/catalog",
            vec![("authorization", format!("Basic {DEMO}"))],
            None,
            (401, "invalid_proxy_key"),
        ),
        case(
            "unknown key",
            "GET",
            "/v1/catalog",
            vec![bearer("clawrouter-live-abcd-0123456789")],
            None,
            (401, "unknown_proxy_key"),
        ),
        case(
            "revoked catalog",
            "GET",
            "/v1/catalog",
            vec![bearer(REVOKED)],
            None,
            (403, "proxy_key_revoked"),
        ),
        case(
            "revoked usage",
            "GET",
            "/v1/usage",
            vec![bearer(REVOKED)],
            None,
            (403, "proxy_key_revoked"),
        ),
        case(
            "revoked call",
            "POST",
            "/v1/chat/completions",
            vec![bearer(REVOKED)],
            Some(CHAT),
            (403, "proxy_key_revoked"),
        ),
        case(
            "unknown key x-api-key",
            "POST",
            "/v1/native/anthropic/v1/messages",
            vec![("x-api-key", "ocpk_test_abcd_0123456789".into())],
            Some(CLAUDE),
            (401, "unknown_proxy_key"),
        ),
        case(
            "model not granted",
            "POST",
            "/v1/chat/completions",
            vec![bearer(SCOPED)],
            Some(CHAT),
            (403, "model_not_granted"),
        ),
        case(
            "native provider not granted",
            "POST",
            GOOGLE,
            vec![("x-goog-api-key", SCOPED.into())],
            Some(GEMINI),
            (403, "model_not_granted"),
        ),
        case(
            "unpriced on metered",
            "POST",
            "/v1/chat/completions",
            vec![bearer(DEMO)],
            Some(
                r#"{"model":"openai/gpt-oss-lab","stream":true,"messages":[{"role":"user","content":"hi"}]}"#,
            ),
            (403, "model_not_granted"),
        ),
        case(
            "unknown model",
            "POST",
            "/v1/chat/completions",
            vec![bearer(DEMO)],
            Some(r#"{"model":"openai/nope","stream":true,"messages":[]}"#),
            (404, "model_not_found"),
        ),
        case(
            "model not on endpoint",
            "POST",
            "/v1/responses",
            vec![bearer(DEMO)],
            Some(r#"{"model":"openai/gpt-4.1-mini","stream":true,"input":"hi"}"#),
            (400, "unsupported_endpoint"),
        ),
        case(
            "not openai compatible",
            "POST",
            "/v1/chat/completions",
            vec![bearer(DEMO)],
            Some(r#"{"model":"anthropic/claude-sonnet-4-6","stream":true,"messages":[]}"#),
            (400, "unsupported_endpoint"),
        ),
        case(
            "not streaming",
            "POST",
            "/v1/chat/completions",
            vec![bearer(DEMO)],
            Some(r#"{"model":"openai/gpt-4.1-mini","messages":[]}"#),
            (400, "streaming_required"),
        ),
        case(
            "not json",
            "POST",
            "/v1/chat/completions",
            vec![bearer(DEMO)],
            Some("{"),
            (400, "invalid_request"),
        ),
        case(
            "no model",
            "POST",
            "/v1/chat/completions",
            vec![bearer(DEMO)],
            Some(r#"{"stream":true}"#),
            (400, "invalid_request"),
        ),
        case(
            "unsupported format",
            "POST",
            "/v1/native/cohere/v2/chat",
            vec![bearer(UNMETERED)],
            Some(CHAT),
            (400, "unsupported_request_format"),
        ),
        case(
            "generateContent",
            "POST",
            "/v1/native/google-gemini/v1beta/models/gemini-3.5-flash:generateContent",
            vec![bearer(DEMO)],
            Some(GEMINI),
            (400, "streaming_required"),
        ),
        case(
            "budget exhausted",
            "POST",
            "/v1/chat/completions",
            vec![bearer(EXHAUSTED)],
            Some(CHAT),
            (402, "budget_exhausted"),
        ),
        case(
            "catalog POST",
            "POST",
            "/v1/catalog",
            vec![bearer(DEMO)],
            None,
            (405, "method_not_allowed"),
        ),
        case(
            "usage DELETE",
            "DELETE",
            "/v1/usage",
            vec![bearer(DEMO)],
            None,
            (405, "method_not_allowed"),
        ),
        case(
            "chat GET",
            "GET",
            "/v1/chat/completions",
            vec![bearer(DEMO)],
            None,
            (405, "method_not_allowed"),
        ),
        case(
            "native GET",
            "GET",
            "/v1/native/anthropic/v1/messages",
            vec![bearer(DEMO)],
            None,
            (405, "method_not_allowed"),
        ),
        case(
            "unknown path",
            "GET",
            "/v2/catalog",
            vec![bearer(DEMO)],
            None,
            (404, "not_found"),
        ),
        case(
            "pool",
            "GET",
            "/v1/pool",
            vec![bearer(DEMO)],
            None,
            (404, "not_found"),
        ),
        case(
            "unknown provider",
            "POST",
            "/v1/native/mistral/v1/chat",
            vec![bearer(DEMO)],
            Some(CHAT),
            (404, "provider_not_found"),
        ),
        case(
            "unknown route",
            "POST",
            "/v1/native/anthropic/v1/complete",
            vec![bearer(DEMO)],
            Some(CLAUDE),
            (404, "route_not_found"),
        ),
        case(
            "unknown native model",
            "POST",
            "/v1/native/google-gemini/v1beta/models/gemini-0:streamGenerateContent",
            vec![bearer(DEMO)],
            Some(GEMINI),
            (404, "model_not_found"),
        ),
        case(
            "request id with space",
            "GET",
            "/v1/catalog",
            vec![bearer(DEMO), ("x-request-id", "run id".into())],
            None,
            (400, "invalid_request_id"),
        ),
        case(
            "request id too long",
            "GET",
            "/v1/catalog",
            vec![bearer(DEMO), ("x-request-id", "r".repeat(129))],
            None,
            (400, "invalid_request_id"),
        ),
        case(
            "request id unicode",
            "GET",
            "/v1/catalog",
            vec![bearer(DEMO), ("x-request-id", "turn-\u{e9}".into())],
            None,
            (400, "invalid_request_id"),
        ),
        case(
            "request id before auth",
            "GET",
            "/v1/catalog",
            vec![("x-request-id", "a b".into())],
            None,
            (400, "invalid_request_id"),
        ),
        case(
            "agent id with space",
            "POST",
            "/v1/chat/completions",
            vec![bearer(DEMO), ("x-clawrouter-agent-id", "my agent".into())],
            Some(CHAT),
            (400, "invalid_attribution_id"),
        ),
        case(
            "session id too long",
            "GET",
            "/v1/usage",
            vec![bearer(DEMO), ("x-clawrouter-session-id", "s".repeat(257))],
            None,
            (400, "invalid_attribution_id"),
        ),
        case(
            "claude session id",
            "GET",
            "/v1/usage",
            vec![bearer(DEMO), ("x-claude-code-session-id", "a b".into())],
            None,
            (400, "invalid_attribution_id"),
        ),
        case(
            "parent agent",
            "GET",
            "/v1/usage",
            vec![bearer(DEMO), ("x-clawrouter-parent-agent-id", "é".into())],
            None,
            (400, "invalid_attribution_id"),
        ),
        case(
            "project id",
            "GET",
            "/v1/usage",
            vec![bearer(DEMO), ("x-clawrouter-project-id", "p q".into())],
            None,
            (400, "invalid_attribution_id"),
        ),
        case(
            "client",
            "GET",
            "/v1/usage",
            vec![bearer(DEMO), ("x-clawrouter-client", "open claw".into())],
            None,
            (400, "invalid_attribution_id"),
        ),
    ];
    for case in cases {
        let headers: Vec<(&str, &str)> = case
            .headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let received = send(&emulator, case.method, case.path, &headers, case.body).await;
        assert_eq!(
            received.status,
            case.status,
            "{}: {}",
            case.name,
            received.text()
        );
        assert_eq!(received.error_code(), case.code, "{}", case.name);
        let body = received.json();
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{}",
            case.name
        );
        // No error message ever contains a key.
        for key in [DEMO, REVOKED, SCOPED, EXHAUSTED, UNMETERED] {
            assert!(!received.text().contains(key), "{}", case.name);
        }
        assert!(received.header("x-request-id").is_some(), "{}", case.name);
        if case.status == 405 {
            assert!(received.header("allow").is_some(), "{}", case.name);
        }
    }
}

#[tokio::test]
async fn valid_headers_are_accepted_and_the_request_id_echoed() {
    let emulator = start().await;
    let received = send(
        &emulator,
        "POST",
        "/v1/chat/completions",
        &[
            ("authorization", &format!("Bearer {DEMO}")),
            ("x-request-id", "  run-1:model:3  "),
            ("x-clawrouter-client", "openclaw"),
            ("x-clawrouter-agent-id", "main"),
            ("x-clawrouter-session-id", "agent-_~0ed511653b5810bb"),
            ("x-clawrouter-project-id", "proj/1+2@x=y"),
            // Only the first present source of a group counts (PROTOCOL.md §7.5).
            ("session-id", "ignored because x-clawrouter-session-id wins"),
        ],
        Some(CHAT),
    )
    .await;
    assert_eq!(received.status, 200, "{}", received.text());
    assert_eq!(
        received.header("x-request-id").as_deref(),
        Some("run-1:model:3")
    );
    let long = "r".repeat(128);
    let received = send(
        &emulator,
        "GET",
        "/v1/catalog",
        &[("x-api-key", DEMO), ("x-request-id", &long)],
        None,
    )
    .await;
    assert_eq!(received.status, 200);
    assert_eq!(
        received.header("x-request-id").as_deref(),
        Some(long.as_str())
    );
}

#[test]
fn key_syntax() {
    use clawrouter_emulator::keys::is_valid_key;
    let cases = [
        ("clawrouter-live-abcd-12345678", true),
        ("clawrouter-test-abcd-12345678", true),
        ("ocpk_live_abcd_12345678", true),
        ("ocpk_test_abcd_12345678", true),
        ("ocpk_test_abcd_1234_5678", true),
        ("clawrouter-test-abc-12345678", false),
        ("clawrouter-test-abcd-1234567", false),
        ("clawrouter-prod-abcd-12345678", false),
        ("ocpk_live_abcd-12345678", false),
        ("clawrouter-test-ab_d-12345678", false),
        ("clawrouter-test-abcd-1234 5678", false),
        ("", false),
        ("CLAWROUTER_API_KEY", false),
    ];
    for (key, valid) in cases {
        assert_eq!(is_valid_key(key), valid, "{key}");
    }
    let key = clawrouter_emulator::keys::ProxyKey::parse("ocpk_test_abcd_12345678").unwrap();
    assert_eq!(format!("{key:?}"), "ProxyKey(<redacted>)");
}
