//! The catalog body of the `catalog` bench and the `catalog_cpu` example (issue 5: a
//! 1 000-model catalog).

/// 10 providers × 100 models, every transport, pricing and efforts on some, ids in
/// mixed case with digits and punctuation.
pub fn catalog_body() -> Vec<u8> {
    let mut providers = Vec::new();
    for p in 0..10 {
        let (compatible, routes) = match p % 4 {
            0 | 1 => (true, String::from("[]")),
            2 => (
                false,
                String::from(
                    r#"[{"path":"/v1/messages","methods":["POST"],"requestFormat":"anthropic.messages"}]"#,
                ),
            ),
            _ => (
                false,
                String::from(
                    r#"[{"path":"/v1beta/models/${model}:generateContent","methods":["POST"],"requestFormat":"google.generate_content"},{"path":"/v1beta/models/${model}:streamGenerateContent","methods":["POST"],"requestFormat":"google.generate_content"}]"#,
                ),
            ),
        };
        let caps = match p % 4 {
            0 => r#"["llm.responses","llm.chat"]"#,
            1 => r#"["llm.chat"]"#,
            2 => r#"["llm.messages","llm.count_tokens"]"#,
            _ => r#"["llm.generate","llm.stream"]"#,
        };
        let mut models = Vec::new();
        for m in 0..100 {
            let extras = if m % 3 == 0 {
                r#","supportedReasoningEfforts":["none","low","medium","high","xhigh","max"],"pricing":{"inputMicrosPerMillion":3000000,"outputMicrosPerMillion":15000000,"cachedInputMicrosPerMillion":300000,"cacheWrite5mInputMicrosPerMillion":3750000,"maxInputTokens":1000000,"defaultMaxOutputTokens":64000}"#
            } else {
                ""
            };
            models.push(format!(
                r#"{{"id":"vendor{p}/Model-{m}.{}_x","upstream":"model-{m}","capabilities":{caps},"pricing_ref":"ref-{m}"{extras}}}"#,
                m % 7
            ));
        }
        providers.push(format!(
            r#"{{"id":"vendor{p}","displayName":"Vendor {p}","allowed":true,"executable":true,"openaiCompatible":{compatible},"nativeBaseUrl":"/v1/native/vendor{p}","policies":["team"],"routes":{routes},"models":[{}]}}"#,
            models.join(",")
        ));
    }
    format!(
        r#"{{"version":"clawrouter.client-catalog.v1","providers":[{}]}}"#,
        providers.join(",")
    )
    .into_bytes()
}
