//! PROTOCOL.md §7.2/§7.4 and the header cases of §12.3 (24–31, 40), exact.

use clawrouter_policy::headers::{
    DispatchInput, dispatch_headers, ordinal_request_id, usable_api_key,
    validate_attribution_headers,
};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|&(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn check(input: DispatchInput<'_>, expected: &[(&str, &str)]) {
    let headers = dispatch_headers(&input);
    let got: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(got, pairs(expected), "{input:?}");
}

const KEY: &str = "runtime-proxy-key";

#[test]
fn case_24_configured_request_id_wins() {
    check(
        DispatchInput {
            model_headers: &[("x-request-id", "request-1")],
            api_key: Some(KEY),
            request_id: Some("automatic-call-id"),
            ..DispatchInput::default()
        },
        &[
            ("x-request-id", "request-1"),
            ("X-ClawRouter-Client", "openclaw"),
            ("Authorization", "Bearer runtime-proxy-key"),
        ],
    );
}

#[test]
fn cases_25_to_27_attribution_and_request_ids() {
    let session = format!("session-{}", "x".repeat(300));
    let call1 = format!("run-{}:model:1", "r".repeat(300));
    let headers = dispatch_headers(&DispatchInput {
        model_headers: &[
            ("x-clawrouter-client", "managed-openclaw"),
            ("X-ClawRouter-Project-Id", "fakeco"),
        ],
        api_key: Some(KEY),
        agent_id: Some("main"),
        session_id: Some(&session),
        request_id: Some(&call1),
        ..DispatchInput::default()
    });
    let names: Vec<&str> = headers.iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "x-clawrouter-client",
            "X-ClawRouter-Project-Id",
            "X-ClawRouter-Agent-Id",
            "X-ClawRouter-Session-Id",
            "X-Request-ID",
            "Authorization"
        ]
    );
    assert_eq!(headers.get("X-ClawRouter-Client"), Some("managed-openclaw"));
    assert_eq!(headers.get("x-clawrouter-agent-id"), Some("main"));
    let session_header = headers.get("X-ClawRouter-Session-Id").unwrap();
    assert_eq!(
        session_header,
        format!("{}~5e7dbc05fbac5351", &session[..239])
    );
    let rid1 = headers.get("X-Request-ID").unwrap().to_owned();
    assert_eq!(rid1, format!("{}~8071253a7ff20426:model:1", &call1[..103]));

    let call2 = format!("run-{}:model:2", "r".repeat(300));
    let headers2 = dispatch_headers(&DispatchInput {
        api_key: Some(KEY),
        request_id: Some(&call2),
        ..DispatchInput::default()
    });
    let rid2 = headers2.get("X-Request-ID").unwrap();
    assert_eq!(rid2.len(), 128);
    assert!(rid2.ends_with(":model:2"));
    assert_ne!(rid1, rid2);

    let headers3 = dispatch_headers(&DispatchInput {
        request_id: Some("turn-😀:model:3"),
        ..DispatchInput::default()
    });
    assert_eq!(
        headers3.get("X-Request-ID"),
        Some("turn-_~4e897f1644ca34dc:model:3")
    );
}

#[test]
fn cases_28_29_unicode_attribution() {
    let a = dispatch_headers(&DispatchInput {
        agent_id: Some("agent-😀中文-id"),
        session_id: Some("session-🚀测试-id"),
        ..DispatchInput::default()
    });
    let b = dispatch_headers(&DispatchInput {
        agent_id: Some("agent-🚀中文-id"),
        session_id: Some("session-😀测试-id"),
        ..DispatchInput::default()
    });
    assert_eq!(
        a.get("X-ClawRouter-Agent-Id"),
        Some("agent-___-id~243bd58563ffe3a6")
    );
    assert_eq!(
        a.get("X-ClawRouter-Session-Id"),
        Some("session-___-id~67bc961fbf5d227e")
    );
    assert_eq!(
        b.get("X-ClawRouter-Agent-Id"),
        Some("agent-___-id~dd7d497128297002")
    );
    assert_ne!(
        a.get("X-ClawRouter-Session-Id"),
        b.get("X-ClawRouter-Session-Id")
    );
    let x = dispatch_headers(&DispatchInput {
        agent_id: Some("agent-😀"),
        ..DispatchInput::default()
    });
    let x = x.get("X-ClawRouter-Agent-Id").unwrap().to_owned();
    assert_eq!(x, "agent-_~0ed511653b5810bb");
    let y = dispatch_headers(&DispatchInput {
        agent_id: Some(&x),
        ..DispatchInput::default()
    });
    assert_ne!(y.get("X-ClawRouter-Agent-Id"), Some(x.as_str()));
}

#[test]
fn case_30_explicit_request_header_suppresses_the_request_id() {
    check(
        DispatchInput {
            request_headers: &[("x-request-id", "operator-request")],
            request_id: Some("automatic-call-id"),
            generated_request_id: Some("s:model:1"),
            ..DispatchInput::default()
        },
        &[("X-ClawRouter-Client", "openclaw")],
    );
}

#[test]
fn case_31_control_characters_omit_the_header() {
    check(
        DispatchInput {
            api_key: Some(KEY),
            agent_id: Some("bad\nagent"),
            request_id: Some("bad\nrequest"),
            session_id: Some("bad\rsession"),
            ..DispatchInput::default()
        },
        &[
            ("X-ClawRouter-Client", "openclaw"),
            ("Authorization", "Bearer runtime-proxy-key"),
        ],
    );
}

#[test]
fn key_rules_of_3_3() {
    assert_eq!(usable_api_key(Some("  k  ")), Some("k"));
    assert_eq!(usable_api_key(Some("CLAWROUTER_API_KEY")), None);
    assert_eq!(usable_api_key(Some(" CLAWROUTER_API_KEY ")), None);
    assert_eq!(usable_api_key(Some("   ")), None);
    assert_eq!(usable_api_key(None), None);
    // No usable key: a configured Authorization header is kept, none is added.
    check(
        DispatchInput {
            model_headers: &[("authorization", "Bearer configured")],
            api_key: Some("CLAWROUTER_API_KEY"),
            ..DispatchInput::default()
        },
        &[
            ("authorization", "Bearer configured"),
            ("X-ClawRouter-Client", "openclaw"),
        ],
    );
    // A usable key replaces every configured Authorization.
    check(
        DispatchInput {
            model_headers: &[("AUTHORIZATION", "Bearer configured"), ("X-A", "1")],
            api_key: Some(" k "),
            ..DispatchInput::default()
        },
        &[
            ("X-A", "1"),
            ("X-ClawRouter-Client", "openclaw"),
            ("Authorization", "Bearer k"),
        ],
    );
}

#[test]
fn generated_request_id_is_the_fallback() {
    check(
        DispatchInput {
            session_id: Some("s 1"),
            generated_request_id: Some("s 1:model:1"),
            ..DispatchInput::default()
        },
        &[
            ("X-ClawRouter-Client", "openclaw"),
            // Hashes computed independently: sha256(utf16le("s 1")), sha256(utf16le("s 1:model:1")).
            ("X-ClawRouter-Session-Id", "s_1~f20524e36d154a58"),
            ("X-Request-ID", "s_1~8af65e1c04f09bcb:model:1"),
        ],
    );
}

#[test]
fn redaction_never_shows_the_key() {
    let headers = dispatch_headers(&DispatchInput {
        model_headers: &[("authorization", "Basic c2VjcmV0")],
        api_key: Some("CLAWROUTER_API_KEY"),
        ..DispatchInput::default()
    });
    assert_eq!(
        headers.redacted(),
        pairs(&[
            ("authorization", "Basic [REDACTED]"),
            ("X-ClawRouter-Client", "openclaw")
        ])
    );
    let input = DispatchInput {
        api_key: Some("sk-very-secret"),
        model_headers: &[("Authorization", "sk-other-secret")],
        ..DispatchInput::default()
    };
    let headers = dispatch_headers(&input);
    assert_eq!(headers.get("authorization"), Some("Bearer sk-very-secret"));
    let debug = format!("{input:?} {headers:?} {:?}", headers.redacted());
    assert!(!debug.contains("secret"), "{debug}");
    assert!(debug.contains("Bearer [REDACTED]"));
}

#[test]
fn d2_configured_attribution_headers_are_validated() {
    let long = "p".repeat(257);
    let ok: &[(&str, &str)] = &[
        ("X-ClawRouter-Project-Id", " fakeco "),
        ("x-clawrouter-client", "managed-openclaw"),
        ("X-Other", "any thing at all"),
        ("Authorization", "Bearer secret value"),
    ];
    assert_eq!(validate_attribution_headers(ok), Ok(()));
    let cases: &[(&str, &str, &str)] = &[
        (
            "X-ClawRouter-Project-Id",
            "fake co",
            "a character outside the allowed set",
        ),
        ("x-claude-code-parent-agent-id", "  ", "empty"),
        ("Session-Id", &long, "longer than 256 characters"),
        (
            "X-ClawRouter-Client",
            "é",
            "a character outside the allowed set",
        ),
    ];
    for &(name, value, problem) in cases {
        let error = validate_attribution_headers(&[(name, value)]).unwrap_err();
        assert_eq!(error.name, name);
        assert_eq!(error.problem, problem);
        let text = error.to_string();
        assert!(
            text.starts_with(&format!(
                "configured header {name} is not a valid attribution id"
            )),
            "{text}"
        );
        assert!(
            !text.contains(value.trim()) || value.trim().is_empty(),
            "{text}"
        );
    }
}

#[test]
fn d3_ordinal_request_id_opt_in() {
    let session = "session-🚀";
    let generated = ordinal_request_id(session, 2);
    assert_eq!(generated, "session-🚀:model:2");
    check(
        DispatchInput {
            session_id: Some(session),
            generated_request_id: Some(&generated),
            ..DispatchInput::default()
        },
        &[
            ("X-ClawRouter-Client", "openclaw"),
            // sha256(utf16le("session-🚀")) and sha256(utf16le("session-🚀:model:2")), computed independently.
            ("X-ClawRouter-Session-Id", "session-_~9833374d134f9a6e"),
            ("X-Request-ID", "session-_~f9d1b1326354774e:model:2"),
        ],
    );
}
