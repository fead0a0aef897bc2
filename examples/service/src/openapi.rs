//! The OpenAPI 3.1 document of the service, served at `/openapi.json`.
//!
//! The routes are described here, beside the handlers that serve them. The shapes of the
//! ledger's contract (commands, results, journal entries, reports, the core's errors and the
//! arguments of reports) come from the JSON Schema the contract generator writes from the
//! core's description (`contract/schema.json`, `make codegen`; `--check` keeps it current),
//! embedded when the service is built; the service's own error codes from [`ServiceCode::ALL`].
//! Nothing of the contract is typed twice.

use serde_json::{json, Map, Value};

use crate::api::{REPORTS, SET_BY_SERVICE};
use crate::auth::Role;
use crate::error::ServiceCode;

/// The contract's JSON Schema, as the generator wrote it.
const CONTRACT: &str = include_str!("../../../contract/schema.json");

/// What the service takes of the contract: every definition (as `components.schemas`, its
/// references rewritten to point there), the requests (`Request`: one of the commands), the
/// core's errors (`CoreError`: each definition with a constant `code`) and the reports.
struct Contract {
    schemas: Map<String, Value>,
    reports: Map<String, Value>,
}

fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                if let Some(name) = r.strip_prefix("#/$defs/") {
                    *r = format!("#/components/schemas/{name}");
                }
            }
            map.values_mut().for_each(rewrite_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn contract() -> Result<Contract, String> {
    let mut root: Value = serde_json::from_str(CONTRACT).map_err(|e| format!("contract/schema.json: {e}"))?;
    rewrite_refs(&mut root);
    let Some(Value::Object(mut schemas)) = root.get_mut("$defs").map(Value::take) else {
        return Err("contract/schema.json has no $defs".into());
    };
    let requests = root.get_mut("oneOf").map(Value::take).ok_or("contract/schema.json has no oneOf")?;
    let reports = match root.get_mut("x-reports").map(Value::take) {
        Some(Value::Object(reports)) => reports,
        _ => return Err("contract/schema.json has no x-reports".into()),
    };
    let errors: Vec<Value> = schemas
        .iter()
        .filter(|(_, schema)| schema.pointer("/properties/code/const").is_some_and(Value::is_string))
        .map(|(name, _)| reference(name))
        .collect();
    schemas.insert(
        "Request".into(),
        json!({"oneOf": requests, "description": "A command of the contract with its request fields, as the core parses it. The service refuses recorded_by, approved_by and recorded_at (FIELD_SET_BY_SERVICE): it sets them."}),
    );
    schemas.insert(
        "CoreError".into(),
        json!({"oneOf": errors, "description": "An error of the core: its code and fields, and message."}),
    );
    Ok(Contract { schemas, reports })
}

/// The result schema of a report the service serves, and its query parameters.
fn report_operation(name: &str, contract: &Contract) -> Option<(Value, Vec<Value>)> {
    let text = json!({"type": "string"});
    let date = json!({"type": "string", "format": "date"});
    let as_of =
        |what: &str| query("as_of", &format!("{what} as of this date (after every entry when absent)."), date.clone());
    let mut parameters = Vec::new();
    let result = match name {
        "window_balance" => {
            parameters.push(as_of("The window's balance"));
            reference("WindowBalance")
        }
        "resolutions" => json!({"type": "array", "items": reference("ResolutionInfo")}),
        "donors" => json!({"type": "array", "items": reference("DonorInfo")}),
        "date_range" => {
            json!({"description": "The first and last value dates of the journal; null when nothing is dated.",
                               "oneOf": [{"type": "array", "items": reference("IsoDate"), "minItems": 2, "maxItems": 2}, {"type": "null"}]})
        }
        "journal" => {
            json!({"type": "array", "items": reference("PostingRow"), "description": "The journal as a table: one row per posting."})
        }
        other => {
            let report = contract.reports.get(other)?;
            for (argument, schema) in report["arguments"].as_object()? {
                let description = schema["description"].as_str().unwrap_or("");
                match argument.as_str() {
                    "period" => {
                        parameters.push(query(
                            "period",
                            &format!("{description} As text: 2024, 2024-H2, 2024-Q3, 2024-07; or give from and to."),
                            json!({"type": "string", "pattern": "^[0-9]{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"}),
                        ));
                        parameters.push(query(
                            "from",
                            "A range of dates instead of a period: its first day.",
                            date.clone(),
                        ));
                        parameters.push(query(
                            "to",
                            "A range of dates instead of a period: its last day.",
                            date.clone(),
                        ));
                    }
                    "as_of" => parameters.push(query("as_of", description, date.clone())),
                    other => parameters.push(query(other, description, text.clone())),
                }
            }
            if other == "donor_statement" {
                json!({"oneOf": [report["result"].clone(), {"type": "array", "items": report["result"].clone(),
                        "description": "Without a donor: every donor's statement."}]})
            } else {
                report["result"].clone()
            }
        }
    };
    Some((result, parameters))
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn json_response(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The answers every authenticated route may give besides its own.
fn with_common(mut responses: Value, writes: bool) -> Value {
    if let Value::Object(map) = &mut responses {
        map.insert(
            "400".into(),
            error_response("Malformed input (the core's codes, or FIELD_SET_BY_SERVICE, IDEMPOTENCY_KEY_MISMATCH)."),
        );
        map.insert("401".into(), error_response("UNAUTHENTICATED: no or unknown bearer token."));
        map.insert("403".into(), error_response("FORBIDDEN: the token's role may not do this."));
        map.insert("404".into(), error_response("Unknown route or entity."));
        map.insert("405".into(), error_response("METHOD_NOT_ALLOWED."));
        map.insert("503".into(), error_response("STORE_UNAVAILABLE (PostgreSQL cannot be reached) or TIMEOUT."));
        map.insert("500".into(), error_response("INTERNAL: a defect; nothing was changed."));
        if writes {
            map.insert(
                "409".into(),
                error_response("CONFLICT (replicas kept colliding), IDEMPOTENCY_CONFLICT, DUPLICATE_ID and the like."),
            );
            map.insert("413".into(), error_response("BODY_TOO_LARGE."));
            map.insert("415".into(), error_response("UNSUPPORTED_MEDIA_TYPE: send application/json."));
            map.insert(
                "422".into(),
                error_response("Refused by a rule of the books (INSUFFICIENT_FUNDS, PERIOD_CLOSED, ...)."),
            );
        }
    }
    responses
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn path_param(name: &str, schema: Value) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": schema})
}

fn read(summary: &str, role: Role, parameters: Vec<Value>, ok: Value) -> Value {
    json!({"summary": summary, "x-role": role.name(), "parameters": parameters,
           "responses": with_common(json!({"200": ok}), false)})
}

/// The whole document (`Err` only if the embedded contract were not the generator's JSON).
pub fn document() -> Result<Value, String> {
    let contract = contract()?;
    let core_codes: Vec<&str> = funding_window::ERROR_CODES.to_vec();
    let service_codes: Vec<&str> = ServiceCode::ALL.iter().map(|c| c.code()).collect();
    let service_docs: Map<String, Value> =
        ServiceCode::ALL.iter().map(|c| (c.code().to_owned(), Value::String(c.description().into()))).collect();
    let all_codes: Vec<&str> = core_codes.iter().chain(&service_codes).copied().collect();
    let mut schemas = contract.schemas.clone();
    schemas.insert(
        "ServiceError".into(),
        json!({
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"enum": service_codes}, "message": {"type": "string"}},
            "description": "An error of the service (authentication, roles, routes, bodies, proposals); x-codes says what each means.",
            "x-codes": service_docs,
        }),
    );
    schemas.insert(
        "Error".into(),
        json!({
            "oneOf": [reference("CoreError"), reference("ServiceError")],
            "properties": {
                "code": {"enum": all_codes},
                "index": {"type": "integer", "minimum": 0, "description": "The failing command of a batch."}
            },
            "description": "The core's error JSON (its code and fields, as every binding sees them) with message; or a service error.",
        }),
    );
    schemas.insert(
        "Proposal".into(),
        json!({
            "type": "object",
            "required": ["id", "command", "command_type", "recorded_by", "proposed_at", "status"],
            "properties": {
                "id": {"type": "string", "pattern": "^p-[0-9a-f]{32}$"},
                "command": {"type": "object", "description": "The command as submitted, without idempotency_key."},
                "command_type": {"type": "string"},
                "idempotency_key": {"type": "string"},
                "recorded_by": {"type": "string"},
                "proposed_at": {"type": "string", "format": "date-time"},
                "status": {"enum": ["pending", "approved", "applied", "rejected"]},
                "decided_by": {"type": "string"},
                "decided_at": {"type": "string", "format": "date-time"},
                "seq": {"type": "integer", "minimum": 1}
            },
            "additionalProperties": false
        }),
    );
    schemas.insert(
        "ChainHead".into(),
        json!({"type": "object", "required": ["seq", "hash"], "additionalProperties": false,
               "properties": {"seq": {"type": "integer", "minimum": 0}, "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}),
    );
    let seq_header = json!({"X-Ledger-Seq": {"description": "The last journal entry this answer reflects (after catching up).",
                                              "schema": {"type": "integer", "minimum": 0}}});
    let text = |media: &str, description: &str| json!({"description": description, "headers": seq_header, "content": {media: {"schema": {"type": "string"}}}});
    let proposal_id = path_param("id", json!({"type": "string"}));
    let submit_body = json!({
        "required": true,
        "content": {"application/json": {"schema": {"oneOf": [
            reference("Request"),
            {"type": "array", "items": reference("Request"), "description": "A batch: all or nothing."}
        ]}}}
    });
    let submit_responses = with_common(
        json!({
            "200": json_response("Applied (a batch: one result per command, in order). `duplicate` when the idempotency key matched an earlier entry.",
                                 json!({"oneOf": [reference("Applied"), {"type": "array", "items": reference("Applied")}]})),
            "201": json_response("Under four-eyes control, a command that needs approval became a pending proposal.", reference("Proposal"))
        }),
        true,
    );
    let decide = |summary: &str, ok: Value| {
        json!({"summary": summary, "x-role": Role::Approver.name(), "parameters": [proposal_id.clone()],
               "responses": with_common(json!({"200": ok}), true)})
    };
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "funding-window service",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "The funding window's ledger over HTTP, kept in PostgreSQL. Every route but /health, /ready and /openapi.json needs `Authorization: Bearer <token>`; `x-role` names the least role (reader < recorder < approver < admin; configure and close_period need admin). The service sets {} from the caller: a body that sets them is refused (FIELD_SET_BY_SERVICE). Reads catch up with every replica before answering (header X-Ledger-Seq).",
                SET_BY_SERVICE.join(", ")
            ),
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        },
        "security": [{"bearer": []}],
        "paths": {
            "/health": {"get": {"summary": "The process is up.", "security": [],
                "responses": {"200": json_response("Up.", json!({"type": "object", "required": ["status"], "properties": {"status": {"const": "up"}}}))}}},
            "/ready": {"get": {"summary": "PostgreSQL answers and this replica has caught up.", "security": [],
                "responses": {
                    "200": json_response("Ready.", json!({"type": "object", "required": ["status", "seq"], "properties": {"status": {"const": "ready"}, "seq": {"type": "integer", "minimum": 0}}})),
                    "503": error_response("STORE_UNAVAILABLE."),
                    "500": error_response("INTERNAL or JOURNAL_CORRUPT.")
                }}},
            "/openapi.json": {"get": {"summary": "This document.", "security": [],
                "responses": {"200": json_response("The OpenAPI document.", json!({"type": "object"}))}}},
            "/whoami": {"get": read("The caller's name and role.", Role::Reader, vec![],
                json_response("The caller.", json!({"type": "object", "required": ["name", "role"], "properties": {"name": {"type": "string"}, "role": {"enum": Role::ALL.map(Role::name)}}})))},
            "/commands": {"post": {
                "summary": "Submit one command (an object) or a batch (an array), as the core's contract has them.",
                "x-role": Role::Recorder.name(),
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string"},
                    "description": "The command's idempotency key (a body key that differs is refused); for a batch, command i without a key of its own gets KEY:i."}],
                "requestBody": submit_body,
                "responses": submit_responses
            }},
            "/journal": {"get": read("Journal entries from a sequence number on.", Role::Reader,
                vec![query("from", "First entry (from 1).", json!({"type": "integer", "minimum": 1})),
                     query("limit", "Entries at most (1 to 1000, 100 by default).", json!({"type": "integer", "minimum": 1, "maximum": 1000}))],
                json_response("A page of entries; `next` is the `from` of the next page.", json!({
                    "type": "object", "required": ["entries", "next", "head"],
                    "properties": {"entries": {"type": "array", "items": reference("JournalEntry")}, "next": {"type": "integer", "minimum": 1}, "head": reference("ChainHead")}})))},
            "/exports/iati": {"get": read("IATI 2.03 activity XML.", Role::Reader,
                vec![query("generated_at", "RFC 3339 (now by default).", json!({"type": "string", "format": "date-time"})),
                     query("as_of", "Last value date included.", json!({"type": "string", "format": "date"})),
                     query("include_projects", "Each project an activity of its own (true by default).", json!({"type": "boolean"}))],
                text("application/xml", "The XML."))},
            "/exports/hledger": {"get": read("The journal as an hledger journal.", Role::Reader, vec![], text("text/plain", "The journal."))},
            "/exports/journal": {"get": read("The journal as JSON Lines, byte for byte as a journal file holds it.", Role::Reader, vec![], text("application/x-ndjson", "The journal."))},
            "/proposals": {"get": read("Proposals, oldest first.", Role::Reader,
                vec![query("status", "Only this status.", json!({"enum": ["pending", "approved", "applied", "rejected"]})),
                     query("limit", "At most (1 to 1000, 100 by default).", json!({"type": "integer", "minimum": 1, "maximum": 1000}))],
                json_response("The proposals.", json!({"type": "array", "items": reference("Proposal")})))},
            "/proposals/{id}": {"get": read("One proposal.", Role::Reader, vec![proposal_id.clone()], json_response("The proposal.", reference("Proposal")))},
            "/proposals/{id}/approve": {"post": decide(
                "Approve a pending proposal recorded by someone else: its command is applied once, with recorded_by and approved_by.",
                json_response("Applied.", json!({"type": "object", "required": ["proposal", "applied"],
                    "properties": {"proposal": reference("Proposal"), "applied": reference("Applied")}})))},
            "/proposals/{id}/reject": {"post": decide("Reject a pending proposal recorded by someone else.", json_response("Rejected.", reference("Proposal")))}
        }
    });
    // One path per report, with the contract's result and arguments; as JSON and as CSV.
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        for name in REPORTS {
            let Some((result, parameters)) = report_operation(name, &contract) else {
                return Err(format!("the contract does not describe the report {name}"));
            };
            let mut answer = json_response("The report, as the core serializes it.", result);
            answer["headers"] = seq_header.clone();
            paths.insert(
                format!("/reports/{name}"),
                json!({"get": read(&format!("The report {name}."), Role::Reader, parameters.clone(), answer)}),
            );
            if funding_window::export::CSV_REPORTS.contains(&name) {
                let mut table = json_response("The report as the core's table.", reference("Table"));
                table["headers"] = seq_header.clone();
                paths.insert(
                    format!("/tables/{name}"),
                    json!({"get": read(&format!("The report {name} as a table (columns, rows of cells)."), Role::Reader, parameters.clone(), table)}),
                );
                paths.insert(
                    format!("/exports/csv/{name}"),
                    json!({"get": read(&format!("The report {name} as CSV."), Role::Reader, parameters, text("text/csv", "The CSV."))}),
                );
            }
        }
    }
    Ok(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` of the document resolves.
    #[test]
    fn every_reference_resolves() {
        let document = document().unwrap();
        let mut refs = Vec::new();
        fn walk(value: &Value, refs: &mut Vec<String>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        refs.push(r.clone());
                    }
                    map.values().for_each(|v| walk(v, refs));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, refs)),
                _ => {}
            }
        }
        walk(&document, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let pointer = r.strip_prefix('#').expect("a local reference");
            assert!(document.pointer(pointer).is_some(), "{r} does not resolve");
        }
    }

    #[test]
    fn the_error_codes_are_the_cores_and_the_services() {
        let document = document().unwrap();
        let codes = document.pointer("/components/schemas/Error/properties/code/enum").unwrap().as_array().unwrap();
        assert_eq!(codes.len(), funding_window::ERROR_CODES.len() + ServiceCode::ALL.len());
        assert!(codes.contains(&json!("INSUFFICIENT_FUNDS")) && codes.contains(&json!("PROPOSAL_SELF_APPROVAL")));
    }
}

#[cfg(test)]
mod contract_tests {
    use super::*;

    #[test]
    fn the_contracts_shapes_are_the_documents() {
        let document = document().unwrap();
        let schemas = &document["components"]["schemas"];
        // Every command of the contract is a request, every core error code a CoreError.
        let requests = schemas["Request"]["oneOf"].as_array().unwrap();
        assert!(requests.iter().any(|r| r["$ref"] == "#/components/schemas/AllocateRequest"));
        let errors: Vec<&str> = schemas["CoreError"]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["$ref"].as_str().unwrap().trim_start_matches("#/components/schemas/"))
            .map(|name| schemas[name]["properties"]["code"]["const"].as_str().unwrap())
            .collect();
        let mut core: Vec<&str> = funding_window::ERROR_CODES.to_vec();
        let mut found = errors.clone();
        core.sort();
        found.sort();
        assert_eq!(found, core);
        // Every report the service serves has a path with the contract's result.
        for name in REPORTS {
            assert!(document["paths"][format!("/reports/{name}")]["get"].is_object(), "{name}");
        }
        let tracker = &document["paths"]["/reports/resolution_tracker"]["get"];
        assert_eq!(
            tracker["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ResolutionTracker"
        );
        assert!(document.to_string().find("#/$defs/").is_none(), "every reference points into the document");
    }
}
