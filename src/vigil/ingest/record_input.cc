#include "vigil/ingest/record_input.h"

#include <string>
#include <string_view>

#include "vigil/core/time.h"

namespace vigil::ingest {

bool ValidateIncident(model::Incident* incident, RecordIssue* issue) {
  issue->code.clear();
  issue->reason.clear();
  issue->warning = false;
  // The incident's own detection: its explicit detection time, else its trigger time. Linked
  // alerts may make the effective detection earlier, but that is the timeline's business
  // (DESIGN §2): validation judges the record as its source wrote it.
  const bool explicit_detection = incident->detected_at.has_value();
  const core::Timestamp detection =
      explicit_detection ? *incident->detected_at : incident->created_at;
  const std::string_view detection_field = explicit_detection ? "detected_at" : "created_at";

  if (incident->resolved_at.has_value() && *incident->resolved_at < detection) {
    issue->code = "resolved_before_detection";
    issue->reason = "resolved_at ";
    issue->reason += core::FormatRfc3339(*incident->resolved_at);
    issue->reason += " is before its detection (";
    issue->reason += detection_field;
    issue->reason += ' ';
    issue->reason += core::FormatRfc3339(detection);
    issue->reason += ')';
    return false;
  }
  if (incident->started_at.has_value() && *incident->started_at > detection) {
    issue->code = "impact_after_detection";
    issue->warning = true;
    issue->reason = "started_at ";
    issue->reason += core::FormatRfc3339(*incident->started_at);
    issue->reason += " is after its detection (";
    issue->reason += detection_field;
    issue->reason += ' ';
    issue->reason += core::FormatRfc3339(detection);
    issue->reason += "): the impact start is dropped";
    incident->started_at.reset();
    incident->started_at_dropped = true;
  }
  return true;
}

}  // namespace vigil::ingest
