//! Words for the values of the domain — an answer, an attempt, a key, an
//! outcome — so that the checker's evidence and every report say the same
//! thing the same way. The history holds no words; these functions are the
//! one place a value becomes one. Names from the scenario are escaped for a
//! terminal ([`crate::text::Escaped`]); HTML and XML reports escape again by
//! their own rules.

use crate::history::{LastAnswer, Outcome};
use crate::scenario::{Scenario, TransferIx};
use crate::text::Escaped;
use crate::vocab::wire::{Key, Response, Tag};
use std::fmt::Write;

/// `201 created (transfer 3) [replayed]`.
pub fn response(r: &Response) -> String {
    let mut s = format!("{} {}", r.status, Escaped(r.code.as_str()));
    if let Some(id) = r.transfer_id {
        let _ = write!(s, " (transfer {id})");
    }
    if let Some(key) = &r.key {
        let _ = write!(s, " (key {key})");
    }
    if r.final_answer {
        s.push_str(" [final]");
    }
    if r.replayed {
        s.push_str(" [replayed]");
    }
    s
}

/// The id of a transfer, escaped: `t1`.
pub fn transfer(scenario: &Scenario, ix: TransferIx) -> String {
    Escaped(scenario.transfer_id(ix)).to_string()
}

/// `t1#2`: transfer t1, attempt 2 (`t1#key2` for its key request).
pub fn tag(scenario: &Scenario, tag: Tag) -> String {
    let id = transfer(scenario, tag.transfer);
    if tag.is_completer() {
        format!("{id} (completer)")
    } else if tag.key_request {
        format!("{id}#key{}", tag.attempt)
    } else {
        format!("{id}#{}", tag.attempt)
    }
}

/// Who did something for a transfer: `by attempt 2`, or `by the completer`
/// for its own work (attempt 0, which no client makes).
pub fn by(tag: Tag) -> String {
    if tag.is_completer() {
        "by the completer".to_string()
    } else {
        format!("by attempt {}", tag.attempt)
    }
}

/// `key ck-1a2b3c`, or `no key`.
pub fn key_label(key: Option<Key>) -> String {
    match key {
        Some(k) => format!("key {k}"),
        None => "no key".to_string(),
    }
}

/// Where a key came from.
pub fn key_origin(key: Key) -> &'static str {
    if key.issued_by_server() {
        "issued by the server"
    } else {
        "made by the client"
    }
}

/// `succeeded: 201 created (transfer 1)`.
pub fn outcome(o: &Outcome) -> String {
    match o {
        Outcome::Succeeded(r) => format!("succeeded: {}", response(r)),
        Outcome::Failed(r) => format!("failed: {}", response(r)),
        Outcome::Unknown(last) => format!("unknown (last attempt: {})", last_answer(last)),
    }
}

/// `timed out`, or the answer.
pub fn last_answer(last: &LastAnswer) -> String {
    match last {
        LastAnswer::TimedOut => "timed out".to_string(),
        LastAnswer::Answer(r) => response(r),
    }
}

/// An account's name, escaped.
pub fn account(scenario: &Scenario, ix: crate::scenario::AccountIx) -> String {
    Escaped(scenario.account_name(ix)).to_string()
}

/// `1 attempt`, `3 attempts`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `double-apply, stuck-key`, or `none`.
pub fn violation_names(kinds: &[crate::vocab::ViolationKind]) -> String {
    if kinds.is_empty() {
        "none".to_string()
    } else {
        kinds
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Transfers' last answers, counted: `404 not_found (3 transfers), no answer (1 transfer)`.
pub fn last_answers(answers: &crate::vocab::LastAnswers) -> String {
    if answers.0.is_empty() {
        return "none".to_string();
    }
    answers
        .0
        .iter()
        .map(|c| {
            let what = match (&c.status, &c.code) {
                (Some(status), Some(code)) => format!("{status} {}", Escaped(code.as_str())),
                (Some(status), None) => status.to_string(),
                (None, _) => "no answer".to_string(),
            };
            format!("{what} ({})", count(c.transfers as usize, "transfer"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The method and path of a request to the API, as the timeline shows it:
/// `POST /transfers` for a design; for a service, its own (the templates
/// its API declares, such as `PUT /v1/payments/{key}`).
pub fn request_line(scenario: &Scenario, endpoint: crate::vocab::wire::Endpoint) -> String {
    let http = scenario.http_api();
    match (scenario.api.service().is_some(), endpoint) {
        (true, crate::vocab::wire::Endpoint::Transfers) => {
            format!("{} {}", http.method, Escaped(&http.path))
        }
        (true, crate::vocab::wire::Endpoint::Keys) => match &http.key_endpoint {
            Some(e) => format!("{} {}", e.method, Escaped(&e.path)),
            None => "POST /keys".to_string(),
        },
        (false, endpoint) => format!("POST {}", endpoint.path()),
    }
}

/// How a request carries its key, as the timeline shows it:
/// `Idempotency-Key: ck-1a2b3c`, or `key ck-1a2b3c` when the service's API
/// sends it in no header.
pub fn key_carried(scenario: &Scenario, key: Key) -> String {
    let header = &scenario.http_api().key_header;
    if scenario.api.service().is_some() && header.is_empty() {
        format!("key {key}")
    } else if scenario.api.service().is_some() {
        format!("{}: {key}", Escaped(header))
    } else {
        format!("Idempotency-Key: {key}")
    }
}
