#include "vigil/model/records.h"

#include <array>
#include <utility>

#include "vigil/core/text.h"

namespace vigil::model {
namespace {

// Lowercase, without '-', '_' and ' ': the form every name and synonym is compared in.
std::string Fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != '-' && c != '_' && c != ' ') {
      out += core::AsciiLower(c);
    }
  }
  return out;
}

template <typename Enum, size_t N>
Enum Lookup(std::string_view text, const std::array<std::pair<std::string_view, Enum>, N>& table) {
  const std::string folded = Fold(text);
  for (const auto& [name, value] : table) {
    if (folded == name) {
      return value;
    }
  }
  return Enum{};  // kUnknown
}

}  // namespace

std::string_view SeverityName(Severity v) {
  switch (v) {
    case Severity::kCritical:
      return "critical";
    case Severity::kSignificant:
      return "significant";
    case Severity::kMinor:
      return "minor";
    case Severity::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view ReleaseTypeName(ReleaseType v) {
  switch (v) {
    case ReleaseType::kMajor:
      return "major";
    case ReleaseType::kMinor:
      return "minor";
    case ReleaseType::kPatch:
      return "patch";
    case ReleaseType::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view DetectionSourceName(DetectionSource v) {
  switch (v) {
    case DetectionSource::kMonitoring:
      return "monitoring";
    case DetectionSource::kAlert:
      return "alert";
    case DetectionSource::kSynthetic:
      return "synthetic";
    case DetectionSource::kRum:
      return "rum";
    case DetectionSource::kQa:
      return "qa";
    case DetectionSource::kEngineer:
      return "engineer";
    case DetectionSource::kCustomer:
      return "customer";
    case DetectionSource::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view ReporterKindName(ReporterKind v) {
  switch (v) {
    case ReporterKind::kCustomer:
      return "customer";
    case ReporterKind::kInternal:
      return "internal";
    case ReporterKind::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view EscapePhaseName(EscapePhase v) {
  switch (v) {
    case EscapePhase::kRequirements:
      return "requirements";
    case EscapePhase::kUnit:
      return "unit";
    case EscapePhase::kIntegration:
      return "integration";
    case EscapePhase::kStaging:
      return "staging";
    case EscapePhase::kProductionOnly:
      return "production-only";
    case EscapePhase::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view DeploymentStateName(DeploymentState v) {
  switch (v) {
    case DeploymentState::kSuccess:
      return "success";
    case DeploymentState::kFailure:
      return "failure";
    case DeploymentState::kError:
      return "error";
    case DeploymentState::kPending:
      return "pending";
    case DeploymentState::kQueued:
      return "queued";
    case DeploymentState::kInProgress:
      return "in_progress";
    case DeploymentState::kInactive:
      return "inactive";
    case DeploymentState::kUnknown:
      break;
  }
  return "unknown";
}

Severity ParseSeverity(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, Severity>, 4> kTable{{
      {"critical", Severity::kCritical},
      {"significant", Severity::kSignificant},
      {"major", Severity::kSignificant},
      {"minor", Severity::kMinor},
  }};
  return Lookup(text, kTable);
}

ReleaseType ParseReleaseType(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, ReleaseType>, 3> kTable{{
      {"major", ReleaseType::kMajor},
      {"minor", ReleaseType::kMinor},
      {"patch", ReleaseType::kPatch},
  }};
  return Lookup(text, kTable);
}

DetectionSource ParseDetectionSource(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, DetectionSource>, 13> kTable{{
      {"monitoring", DetectionSource::kMonitoring},
      {"metrics", DetectionSource::kMonitoring},
      {"alert", DetectionSource::kAlert},
      {"alerting", DetectionSource::kAlert},
      {"synthetic", DetectionSource::kSynthetic},
      {"synthetics", DetectionSource::kSynthetic},
      {"rum", DetectionSource::kRum},
      {"qa", DetectionSource::kQa},
      {"engineer", DetectionSource::kEngineer},
      {"engineering", DetectionSource::kEngineer},
      {"internal", DetectionSource::kEngineer},
      {"customer", DetectionSource::kCustomer},
      {"support", DetectionSource::kCustomer},
  }};
  return Lookup(text, kTable);
}

ReporterKind ParseReporterKind(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, ReporterKind>, 4> kTable{{
      {"customer", ReporterKind::kCustomer},
      {"customerreported", ReporterKind::kCustomer},
      {"internal", ReporterKind::kInternal},
      {"internallydetected", ReporterKind::kInternal},
  }};
  return Lookup(text, kTable);
}

EscapePhase ParseEscapePhase(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, EscapePhase>, 8> kTable{{
      {"requirements", EscapePhase::kRequirements},
      {"unit", EscapePhase::kUnit},
      {"unittest", EscapePhase::kUnit},
      {"integration", EscapePhase::kIntegration},
      {"integrationtest", EscapePhase::kIntegration},
      {"staging", EscapePhase::kStaging},
      {"productiononly", EscapePhase::kProductionOnly},
      {"production", EscapePhase::kProductionOnly},
  }};
  return Lookup(text, kTable);
}

DeploymentState ParseDeploymentState(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, DeploymentState>, 9> kTable{{
      {"success", DeploymentState::kSuccess},
      {"succeeded", DeploymentState::kSuccess},
      {"failure", DeploymentState::kFailure},
      {"failed", DeploymentState::kFailure},
      {"error", DeploymentState::kError},
      {"pending", DeploymentState::kPending},
      {"queued", DeploymentState::kQueued},
      {"inprogress", DeploymentState::kInProgress},
      {"inactive", DeploymentState::kInactive},
  }};
  return Lookup(text, kTable);
}

std::string_view RecordKindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kDeployment:
      return "deployments";
    case RecordKind::kRelease:
      return "releases";
    case RecordKind::kIncident:
      return "incidents";
    case RecordKind::kDefect:
      return "defects";
    case RecordKind::kAlert:
      return "alerts";
  }
  return "deployments";
}

std::optional<RecordKind> ParseRecordKind(std::string_view text) {
  for (RecordKind kind : {RecordKind::kDeployment, RecordKind::kRelease, RecordKind::kIncident,
                          RecordKind::kDefect, RecordKind::kAlert}) {
    const std::string_view plural = RecordKindName(kind);
    if (text == plural || text == plural.substr(0, plural.size() - 1)) {
      return kind;
    }
  }
  return std::nullopt;
}

}  // namespace vigil::model
