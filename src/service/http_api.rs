//! A service's own API: how clients call it for a transfer, where its
//! idempotency key comes from and goes, and how to read its answers.
//!
//! idemsim's clients speak whatever the service speaks, so a team tests the
//! endpoint it ships rather than a proxy route written for idemsim. The
//! defaults are the shape idemsim always used — `POST /transfers` with
//! `{"from", "to", "amount"}` and an `Idempotency-Key` header, answers read
//! by status class — and everything can be changed, by the service
//! ([`crate::service::Service::http`]) or by a scenario (`[http]`, which wins):
//!
//! ```toml
//! [http]
//! method = "PUT"
//! path = "/v1/accounts/{from}/payments/{key}"   # the key in the path
//! key_header = ""                               # ... so no key header
//! body = { destination = "{to}", amount = "{amount}", currency = "{currency}", metadata = { ref = "{transfer}" }, capture = true }
//! currency = "eur"
//!
//! [http.answer]
//! field = "/status"                 # a JSON pointer into the answer's body
//! success = ["succeeded"]
//! failure = ["failed", "canceled"]
//! retry = ["processing"]
//! ```
//!
//! **Templates.** The path, the body's strings and header values may name
//! `{from}` and `{to}` (account names), `{amount}` (minor units), `{currency}`,
//! `{transfer}` (the transfer's id, `t1`), `{key}` (the idempotency key's
//! text) and `{client}` (the caller, `client-1`). A body string that is
//! exactly `"{amount}"` becomes a JSON number. `{{` and `}}` write braces.
//! Values are percent-encoded where they land in the path.
//!
//! **Keys.** A client sends its key in `key_header` (empty: in no header,
//! so wherever the templates put `{key}`). With `[keys] source = "server"`
//! it first asks `key_endpoint` for one and reads it from the answer's
//! `field`.
//!
//! **Answers.** By default by status class: 2xx is success; 409, 429 and
//! 5xx say "try again"; any other status is a definitive failure; an answer
//! with `Should-Retry: false` is final whatever its status. With `field` (a
//! JSON pointer into the body) or `header`, the value found there decides
//! first, by the lists `success`, `failure` and `retry`; a value on no list,
//! or none at all, falls back to the status class. Every client keeps the
//! cookies the service sets, per client, as a browser or an HTTP client
//! with a cookie store does.

use crate::limits;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// How clients call a service (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HttpApi {
    /// The transfer request's method.
    pub method: String,
    /// Its path, a template (`/v1/payments`, `/accounts/{from}/transfers`).
    pub path: String,
    /// Its JSON body, a template; absent: `{"from": …, "to": …, "amount": …}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// What `{currency}` stands for.
    pub currency: String,
    /// The header that carries the idempotency key; empty: none.
    pub key_header: String,
    /// Headers every request carries, by name; values are templates.
    pub headers: BTreeMap<String, String>,
    /// Where a client asks for a key when `[keys] source = "server"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_endpoint: Option<KeyEndpoint>,
    /// How a client reads an answer.
    pub answer: AnswerReading,
}

/// The endpoint that issues idempotency keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyEndpoint {
    #[serde(default = "post")]
    pub method: String,
    pub path: String,
    /// The request's JSON body, a template (the key's purpose); absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Where the key is in the answer's JSON body: a JSON pointer (`/key`).
    pub field: String,
}

fn post() -> String {
    "POST".to_string()
}

/// How a client reads an answer: by status class unless a body field or a
/// header says otherwise (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AnswerReading {
    /// A JSON pointer into the answer's body (`/status`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A header of the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Values that mean the transfer happened.
    pub success: Vec<String>,
    /// Values that mean it did not and never will: do not retry.
    pub failure: Vec<String>,
    /// Values that mean "try again later".
    pub retry: Vec<String>,
}

impl Default for HttpApi {
    fn default() -> HttpApi {
        HttpApi {
            method: "POST".to_string(),
            path: "/transfers".to_string(),
            body: None,
            currency: "usd".to_string(),
            key_header: "Idempotency-Key".to_string(),
            headers: BTreeMap::new(),
            key_endpoint: None,
            answer: AnswerReading::default(),
        }
    }
}

/// What a template's placeholders stand for in one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fill<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub transfer: &'a str,
    pub key: &'a str,
    pub client: &'a str,
}

/// The placeholders a template may name.
const PLACEHOLDERS: [&str; 7] = [
    "from", "to", "amount", "currency", "transfer", "key", "client",
];

impl Fill<'_> {
    fn value(&self, name: &str) -> Option<String> {
        Some(match name {
            "from" => self.from.to_string(),
            "to" => self.to.to_string(),
            "amount" => self.amount.to_string(),
            "currency" => self.currency.to_string(),
            "transfer" => self.transfer.to_string(),
            "key" => self.key.to_string(),
            "client" => self.client.to_string(),
            _ => return None,
        })
    }
}

/// One piece of a template: text as written, or a placeholder.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'t> {
    Text(std::borrow::Cow<'t, str>),
    Hole(&'t str),
}

/// Splits a template into pieces; an error names what is wrong.
fn pieces(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{{") {
            out.push(Piece::Text("{".into()));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("}}") {
            out.push(Piece::Text("}".into()));
            rest = after;
        } else if let Some(after) = rest.strip_prefix('{') {
            let end = after.find('}').ok_or_else(|| {
                format!("an unclosed `{{` in `{}`", crate::text::escape(template))
            })?;
            let name = &after[..end];
            if !PLACEHOLDERS.contains(&name) {
                return Err(format!(
                    "unknown placeholder `{{{}}}`; expected one of: {}",
                    crate::text::escape(name),
                    PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                ));
            }
            out.push(Piece::Hole(name));
            rest = &after[end + 1..];
        } else if rest.starts_with('}') {
            return Err(format!(
                "a lone `}}` in `{}`; write `}}}}` for a brace",
                crate::text::escape(template)
            ));
        } else {
            let end = rest.find(['{', '}']).unwrap_or(rest.len());
            out.push(Piece::Text(rest[..end].into()));
            rest = &rest[end..];
        }
    }
    Ok(out)
}

/// A template filled in; `encode` turns each value into what may stand
/// where it lands (percent-encoding in a path).
fn fill(template: &str, values: &Fill, encode: &dyn Fn(&str) -> String) -> String {
    let Ok(pieces) = pieces(template) else {
        unreachable!("templates are checked when the API is declared")
    };
    pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.into_owned(),
            Piece::Hole(name) => encode(&values.value(name).unwrap_or_default()),
        })
        .collect()
}

/// Percent-encodes a value for a path segment.
fn path_segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// What a path segment must encode: all but RFC 3986's unreserved characters.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A JSON template filled in: a string that is exactly `"{amount}"` becomes
/// a number, other strings are filled as text.
fn fill_json(template: &Value, values: &Fill) -> Value {
    match template {
        Value::String(s) if s == "{amount}" => Value::from(values.amount),
        Value::String(s) => Value::String(fill(s, values, &|v| v.to_string())),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill_json(v, values)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill_json(v, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Every template string in a JSON template, for checking.
fn json_strings(template: &Value, out: &mut Vec<String>) {
    match template {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| json_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| json_strings(v, out)),
        _ => {}
    }
}

/// A request as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpRequest {
    pub method: http::Method,
    pub path: String,
    /// Header names and values, in order.
    pub headers: Vec<(http::HeaderName, String)>,
    pub body: Option<Vec<u8>>,
}

/// What a client concludes from an answer.
pub(crate) use crate::vocab::wire::Meaning;

impl HttpApi {
    /// The transfer request for `values`.
    pub(crate) fn transfer_request(&self, values: &Fill) -> HttpRequest {
        let body = match &self.body {
            Some(template) => fill_json(template, values),
            None => serde_json::json!({
                "from": values.from,
                "to": values.to,
                "amount": values.amount,
            }),
        };
        let mut headers = self.fixed_headers(values);
        if !self.key_header.is_empty() {
            headers.push((header_name(&self.key_header), values.key.to_string()));
        }
        HttpRequest {
            method: method(&self.method),
            path: fill(&self.path, values, &path_segment),
            headers,
            body: Some(body.to_string().into_bytes()),
        }
    }

    /// The request that asks for a key, when the API issues them.
    pub(crate) fn key_request(&self, values: &Fill) -> Option<HttpRequest> {
        let endpoint = self.key_endpoint.as_ref()?;
        Some(HttpRequest {
            method: method(&endpoint.method),
            path: fill(&endpoint.path, values, &path_segment),
            headers: self.fixed_headers(values),
            body: endpoint
                .body
                .as_ref()
                .map(|b| fill_json(b, values).to_string().into_bytes()),
        })
    }

    fn fixed_headers(&self, values: &Fill) -> Vec<(http::HeaderName, String)> {
        self.headers
            .iter()
            .map(|(name, value)| (header_name(name), fill(value, values, &|v| v.to_string())))
            .collect()
    }

    /// The key in the key endpoint's answer, as text.
    pub(crate) fn issued_key(&self, body: &[u8]) -> Option<String> {
        let endpoint = self.key_endpoint.as_ref()?;
        let json: Value = serde_json::from_slice(body).ok()?;
        let text = match json.pointer(&endpoint.field)? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (!text.is_empty() && text.len() <= limits::MAX_KEY_TEXT_BYTES).then_some(text)
    }

    /// Whether the transfer request carries the key anywhere.
    pub fn sends_key(&self) -> bool {
        if !self.key_header.is_empty() {
            return true;
        }
        let mut strings = vec![self.path.clone()];
        strings.extend(self.headers.values().cloned());
        if let Some(body) = &self.body {
            json_strings(body, &mut strings);
        }
        strings
            .iter()
            .any(|s| pieces(s).is_ok_and(|p| p.contains(&Piece::Hole("key"))))
    }

    /// What is wrong with this API's description, if anything: the field
    /// (a path below `[http]`) and what was expected.
    pub fn problem(&self) -> Option<(Vec<&'static str>, String)> {
        if http::Method::from_bytes(self.method.as_bytes()).is_err() {
            return Some((
                vec!["method"],
                format!(
                    "`{}` is not an HTTP method",
                    crate::text::escape(&self.method)
                ),
            ));
        }
        if let Some(p) = path_problem(&self.path) {
            return Some((vec!["path"], p));
        }
        if let Some(p) = self.body.as_ref().and_then(json_problem) {
            return Some((vec!["body"], p));
        }
        if self.currency.is_empty() || self.currency.len() > limits::MAX_NAME_BYTES {
            return Some((
                vec!["currency"],
                format!("expected 1 to {} bytes", limits::MAX_NAME_BYTES),
            ));
        }
        if !self.key_header.is_empty()
            && http::HeaderName::from_bytes(self.key_header.as_bytes()).is_err()
        {
            return Some((
                vec!["key_header"],
                format!(
                    "`{}` is not a header name",
                    crate::text::escape(&self.key_header)
                ),
            ));
        }
        if self.headers.len() > limits::MAX_HTTP_HEADERS {
            return Some((
                vec!["headers"],
                format!(
                    "{} headers; expected at most {}",
                    self.headers.len(),
                    limits::MAX_HTTP_HEADERS
                ),
            ));
        }
        for (name, value) in &self.headers {
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Some((
                    vec!["headers"],
                    format!("`{}` is not a header name", crate::text::escape(name)),
                ));
            }
            if let Err(p) = template_problem(value) {
                return Some((vec!["headers"], p));
            }
        }
        if let Some(endpoint) = &self.key_endpoint {
            if http::Method::from_bytes(endpoint.method.as_bytes()).is_err() {
                return Some((
                    vec!["key_endpoint", "method"],
                    format!(
                        "`{}` is not an HTTP method",
                        crate::text::escape(&endpoint.method)
                    ),
                ));
            }
            if let Some(p) = path_problem(&endpoint.path) {
                return Some((vec!["key_endpoint", "path"], p));
            }
            if let Some(p) = endpoint.body.as_ref().and_then(json_problem) {
                return Some((vec!["key_endpoint", "body"], p));
            }
            if !endpoint.field.starts_with('/') {
                return Some((
                    vec!["key_endpoint", "field"],
                    format!(
                        "`{}`: expected a JSON pointer such as `/key`",
                        crate::text::escape(&endpoint.field)
                    ),
                ));
            }
        }
        self.answer.problem()
    }
}

impl AnswerReading {
    fn problem(&self) -> Option<(Vec<&'static str>, String)> {
        match (&self.field, &self.header) {
            (Some(_), Some(_)) => {
                return Some((
                    vec!["answer", "header"],
                    "read the outcome from a field or a header, not both".to_string(),
                ));
            }
            (Some(field), None) if !field.starts_with('/') => {
                return Some((
                    vec!["answer", "field"],
                    format!(
                        "`{}`: expected a JSON pointer such as `/status`",
                        crate::text::escape(field)
                    ),
                ));
            }
            (None, Some(header)) if http::HeaderName::from_bytes(header.as_bytes()).is_err() => {
                return Some((
                    vec!["answer", "header"],
                    format!("`{}` is not a header name", crate::text::escape(header)),
                ));
            }
            (Some(_), None) | (None, Some(_)) => {
                if self.success.is_empty() && self.failure.is_empty() && self.retry.is_empty() {
                    return Some((vec!["answer", "success"], "a field or header to read, but no values to read in it; expected `success`, `failure` or `retry` lists".to_string()));
                }
            }
            (None, None) => {
                if !(self.success.is_empty() && self.failure.is_empty() && self.retry.is_empty()) {
                    return Some((
                        vec!["answer", "success"],
                        "values to read, but nowhere to read them; expected `field` or `header`"
                            .to_string(),
                    ));
                }
            }
        }
        let lists = [
            ("success", &self.success),
            ("failure", &self.failure),
            ("retry", &self.retry),
        ];
        for (i, (name, list)) in lists.iter().enumerate() {
            if list.len() > limits::MAX_ANSWER_VALUES {
                return Some((
                    vec!["answer", name],
                    format!(
                        "{} values; expected at most {}",
                        list.len(),
                        limits::MAX_ANSWER_VALUES
                    ),
                ));
            }
            for value in list.iter() {
                if lists[i + 1..]
                    .iter()
                    .any(|(_, other)| other.contains(value))
                {
                    return Some((
                        vec!["answer", name],
                        format!("`{}` is on two lists", crate::text::escape(value)),
                    ));
                }
            }
        }
        None
    }

    /// What an answer means to a client: the field's or header's value by
    /// the lists, else the status class (see the module docs).
    pub(crate) fn meaning(
        &self,
        status: u16,
        headers: &http::HeaderMap,
        json: Option<&Value>,
    ) -> Meaning {
        let value = match (&self.field, &self.header) {
            (Some(pointer), _) => json.and_then(|j| j.pointer(pointer)).and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Bool(b) => Some(b.to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
            (None, Some(name)) => headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok())
                .map(String::from),
            (None, None) => None,
        };
        if let Some(value) = value {
            if self.success.contains(&value) {
                return Meaning::Success;
            }
            if self.failure.contains(&value) {
                return Meaning::Failure;
            }
            if self.retry.contains(&value) {
                return Meaning::Transient;
            }
        }
        let final_answer = headers
            .get("should-retry")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("false"));
        Meaning::of_status(status, final_answer)
    }
}

fn method(text: &str) -> http::Method {
    http::Method::from_bytes(text.as_bytes()).expect("methods are checked when the API is declared")
}

fn header_name(text: &str) -> http::HeaderName {
    http::HeaderName::from_bytes(text.as_bytes())
        .expect("header names are checked when the API is declared")
}

fn template_problem(text: &str) -> Result<(), String> {
    if text.len() > limits::MAX_TEMPLATE_BYTES {
        return Err(format!(
            "{} bytes; expected at most {}",
            text.len(),
            limits::MAX_TEMPLATE_BYTES
        ));
    }
    pieces(text).map(|_| ())
}

fn path_problem(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return Some(format!(
            "`{}`: expected a path that starts with `/`",
            crate::text::escape(path)
        ));
    }
    if let Err(p) = template_problem(path) {
        return Some(p);
    }
    let probe = fill(
        path,
        &Fill {
            from: "a",
            to: "b",
            amount: 1,
            currency: "usd",
            transfer: "t1",
            key: "k",
            client: "client-1",
        },
        &path_segment,
    );
    if probe.parse::<http::uri::PathAndQuery>().is_err() {
        return Some(format!(
            "`{}` is not a valid request path",
            crate::text::escape(path)
        ));
    }
    None
}

fn json_problem(body: &Value) -> Option<String> {
    if body.to_string().len() > limits::MAX_TEMPLATE_BYTES {
        return Some(format!(
            "a body template longer than {} bytes",
            limits::MAX_TEMPLATE_BYTES
        ));
    }
    let mut strings = Vec::new();
    json_strings(body, &mut strings);
    strings.iter().find_map(|s| template_problem(s).err())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Fill<'static> {
        Fill {
            from: "alice smith",
            to: "bob",
            amount: 2500,
            currency: "eur",
            transfer: "t1",
            key: "ck-0000ab",
            client: "client-1",
        }
    }

    #[test]
    fn the_default_is_the_shape_idemsim_always_sent() {
        let api = HttpApi::default();
        assert!(api.problem().is_none());
        let r = api.transfer_request(&values());
        assert_eq!(r.method, http::Method::POST);
        assert_eq!(r.path, "/transfers");
        assert_eq!(
            r.headers,
            vec![(
                http::HeaderName::from_static("idempotency-key"),
                "ck-0000ab".to_string()
            )]
        );
        let body: Value = serde_json::from_slice(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"from": "alice smith", "to": "bob", "amount": 2500})
        );
        assert!(api.sends_key());
    }

    #[test]
    fn templates_fill_the_path_body_and_headers() {
        let api = HttpApi {
            method: "PUT".into(),
            path: "/v1/{from}/payments/{key}".into(),
            body: Some(
                serde_json::json!({"dest": "{to}", "amount": "{amount}", "note": "{transfer} in {currency} {{x}}", "capture": true}),
            ),
            key_header: String::new(),
            headers: BTreeMap::from([("x-caller".to_string(), "{client}".to_string())]),
            ..HttpApi::default()
        };
        assert!(api.problem().is_none(), "{:?}", api.problem());
        let r = api.transfer_request(&values());
        assert_eq!(r.path, "/v1/alice%20smith/payments/ck-0000ab");
        assert_eq!(
            r.headers,
            vec![(
                http::HeaderName::from_static("x-caller"),
                "client-1".to_string()
            )]
        );
        let body: Value = serde_json::from_slice(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"dest": "bob", "amount": 2500, "note": "t1 in eur {x}", "capture": true})
        );
        assert!(api.sends_key(), "the key is in the path");
    }

    #[test]
    fn bad_descriptions_are_refused_naming_the_field() {
        let bad = |api: HttpApi| api.problem().map(|(field, _)| field);
        assert_eq!(
            bad(HttpApi {
                method: "GE T".into(),
                ..HttpApi::default()
            }),
            Some(vec!["method"])
        );
        assert_eq!(
            bad(HttpApi {
                path: "transfers".into(),
                ..HttpApi::default()
            }),
            Some(vec!["path"])
        );
        assert_eq!(
            bad(HttpApi {
                path: "/x/{nope}".into(),
                ..HttpApi::default()
            }),
            Some(vec!["path"])
        );
        assert_eq!(
            bad(HttpApi {
                path: "/x/{from".into(),
                ..HttpApi::default()
            }),
            Some(vec!["path"])
        );
        assert_eq!(
            bad(HttpApi {
                body: Some(serde_json::json!({"a": "}"})),
                ..HttpApi::default()
            }),
            Some(vec!["body"])
        );
        assert_eq!(
            bad(HttpApi {
                key_header: "bad header".into(),
                ..HttpApi::default()
            }),
            Some(vec!["key_header"])
        );
        let reading = AnswerReading {
            field: Some("status".into()),
            success: vec!["ok".into()],
            ..AnswerReading::default()
        };
        assert_eq!(
            bad(HttpApi {
                answer: reading,
                ..HttpApi::default()
            }),
            Some(vec!["answer", "field"])
        );
        let reading = AnswerReading {
            field: Some("/s".into()),
            success: vec!["ok".into()],
            failure: vec!["ok".into()],
            ..AnswerReading::default()
        };
        assert_eq!(
            bad(HttpApi {
                answer: reading,
                ..HttpApi::default()
            }),
            Some(vec!["answer", "success"])
        );
        let reading = AnswerReading {
            success: vec!["ok".into()],
            ..AnswerReading::default()
        };
        assert_eq!(
            bad(HttpApi {
                answer: reading,
                ..HttpApi::default()
            }),
            Some(vec!["answer", "success"])
        );
    }

    #[test]
    fn answers_are_read_by_field_then_by_status_class() {
        let reading = AnswerReading {
            field: Some("/status".into()),
            success: vec!["succeeded".into()],
            failure: vec!["failed".into()],
            retry: vec!["processing".into()],
            ..AnswerReading::default()
        };
        let headers = http::HeaderMap::new();
        let json = |s: &str| serde_json::json!({ "status": s });
        assert_eq!(
            reading.meaning(200, &headers, Some(&json("failed"))),
            Meaning::Failure
        );
        assert_eq!(
            reading.meaning(200, &headers, Some(&json("processing"))),
            Meaning::Transient
        );
        assert_eq!(
            reading.meaning(500, &headers, Some(&json("succeeded"))),
            Meaning::Success
        );
        assert_eq!(
            reading.meaning(200, &headers, Some(&json("other"))),
            Meaning::Success
        );
        assert_eq!(reading.meaning(404, &headers, None), Meaning::Failure);
        assert_eq!(reading.meaning(409, &headers, None), Meaning::Transient);
        let default = AnswerReading::default();
        let mut final_500 = http::HeaderMap::new();
        final_500.insert("should-retry", "false".parse().unwrap());
        assert_eq!(default.meaning(500, &final_500, None), Meaning::Failure);
        assert_eq!(default.meaning(503, &headers, None), Meaning::Transient);
    }

    #[test]
    fn a_key_endpoint_gives_the_key_at_its_field() {
        let api = HttpApi {
            key_endpoint: Some(KeyEndpoint {
                method: "POST".into(),
                path: "/keys".into(),
                body: None,
                field: "/data/key".into(),
            }),
            ..HttpApi::default()
        };
        assert!(api.problem().is_none());
        assert_eq!(
            api.issued_key(br#"{"data":{"key":"k_123"}}"#),
            Some("k_123".to_string())
        );
        assert_eq!(api.issued_key(br#"{"data":{}}"#), None);
        assert_eq!(api.key_request(&values()).unwrap().path, "/keys");
    }
}
