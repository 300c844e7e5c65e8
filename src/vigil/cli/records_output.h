// Rendering of the record verbs: the summary of `vigil ingest <kind>` and the tables of
// `vigil list <kind>` (the timeline's view of the stored records, inferred facts marked).
// JSON shapes are documented in docs/cli.md.
#pragma once

#include <optional>
#include <string>

#include "vigil/core/time.h"
#include "vigil/importer/records_import.h"
#include "vigil/metrics/timeline.h"
#include "vigil/model/records.h"

namespace vigil::cli {

void PrintRecordImportSummary(const importer::RecordImportSummary& summary, model::RecordKind kind,
                              const std::string& format);

// Which rows `vigil list` shows: a service (the record's service; for incidents also the
// causing service), a team, and a window [from, to) on the row's own time (deployed_at,
// created_at, found_at, starts_at; a release never deployed has none and is shown only without
// a window).
struct ListFilter {
  std::string service;
  std::string team;
  std::optional<core::Timestamp> from, to;
};

void PrintRecordList(const metrics::Timeline& timeline, model::RecordKind kind,
                     const ListFilter& filter, core::Timestamp as_of, const std::string& format);

}  // namespace vigil::cli
