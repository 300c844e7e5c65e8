// Alertmanager adapter: webhook payloads (version "4") as a webhook receiver saved them, into
// model::Alert records (source "alertmanager"). User reference:
// docs/adapters-github-alertmanager.md. Pure; thread-safe.
//
// Input: every file of one invocation at once, in any order. A file holds one payload object,
// a JSON array of payloads, or one payload per line (NDJSON, as a receiver that appends each
// request body writes). Each element of a payload's `alerts` is one notification of one alert,
// keyed by (fingerprint, startsAt): repeated notifications of the same key, in any files, make
// one alert (DESIGN §2 "Alerts"); a reused fingerprint with a new startsAt is a new alert.
// An alert's ends_at is the latest endsAt among its `resolved` notifications (a `firing`
// notification's endsAt is not an end: Alertmanager writes Go's zero time
// "0001-01-01T00:00:00Z" or a time in the future there); no resolved notification → nullopt.
// Its other fields come from the resolved notification with the latest endsAt, else from the
// last notification in input order. Alerts come out sorted by (fingerprint, starts_at).
//
// Mapped fields (defaults in AlertmanagerDefaultMappings(); a user block replaces a field's
// rules; paths are into one element of `alerts`): fingerprint ← fingerprint, starts_at ←
// startsAt, ends_at ← endsAt, rule ← labels.alertname, service ← labels.service, incident ←
// labels.incident, else annotations.incident; generator_url ← generatorURL. Read as
// Alertmanager defines them, not mapped: `status` (whether endsAt is an end) and the labels
// and annotations maps (copied whole).
//
// Rejections (one RecordIssue each; `json_path` like "alerts[2].startsAt", prefixed with
// "[i]." for a payload in an array; `line` set for NDJSON): a file that is not JSON or not
// payloads ("bad_json", "unknown_shape"; the whole file); a payload whose `version` is not
// "4" ("unsupported_version"; the whole payload, since another version's fields may mean
// something else); a payload without an `alerts` array ("missing_field"); an alert that is
// not an object, or whose labels or annotations are not objects of strings ("wrong_type");
// without a fingerprint, startsAt or status, or a resolved one without endsAt
// ("missing_field"); a status other than firing/resolved ("bad_value"); a time that is not
// RFC 3339 ("bad_time"); a resolved endsAt before startsAt ("ends_before_start").
#pragma once

#include <span>
#include <string_view>

#include "vigil/core/status.h"
#include "vigil/ingest/record_adapter.h"
#include "vigil/ingest/record_input.h"

namespace vigil::ingest {

// The built-in mapping rules (the body of a `mappings.alertmanager.alerts` block).
std::string_view AlertmanagerDefaultMappings();

// Whether `data` holds Alertmanager webhook payloads: a JSON object (or an array of them, or
// NDJSON lines of them, judged by the first) with an `alerts` array and a `version`,
// `groupKey` or `receiver` member.
bool LooksLikeAlertmanagerPayload(std::string_view data);

// Parses all files of one invocation (see the top of this file). Errors only for a mapping that
// does not compile (kInvalidArgument); bad input is reported in the result. `options.parent`
// is not used (alerts have no children).
Result<ParsedRecords> ParseAlertmanagerPayloads(std::span<const RecordFile> files,
                                                const AdapterOptions& options);

}  // namespace vigil::ingest
