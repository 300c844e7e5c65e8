// Rendering for the CLI: exit codes, error messages, the progress bar, time-window flags, and
// the tables / JSON / CSV of each verb. JSON shapes are documented in docs/cli.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/core/time.h"
#include "vigil/importer/coverage_import.h"
#include "vigil/importer/importer.h"
#include "vigil/metrics/coverage.h"
#include "vigil/metrics/latency.h"

namespace vigil::cli {

// Exit codes: one per Status code, plus a failed import.
inline constexpr int kExitImportFailed = 1;
inline constexpr int kExitInternal = 70;
int ExitCode(StatusCode code);

// Prints "vigil: <message>" to stderr and returns the status's exit code.
int Fail(const Status& status);

// A one-line progress bar on stderr, drawn only when enabled (a TTY).
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled);
  void Update(int64_t done, int64_t total);
  void Finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  int last_permille_ = -1;
  int64_t start_ms_;
};

// --from/--to (RFC 3339) or --last (a duration ending at `now`); both unset = all data.
struct TimeWindow {
  std::optional<core::Timestamp> from;
  std::optional<core::Timestamp> to;
};
Result<TimeWindow> ParseTimeWindow(const std::string& from, const std::string& to,
                                   const std::string& last, core::Timestamp now);

void PrintImportSummary(const importer::ImportSummary& summary, const std::string& format);
void PrintLatencyTable(const std::vector<metrics::LatencyRow>& rows, const TimeWindow& window,
                       bool by_version, const std::string& format);

void PrintCoverageImportSummary(const importer::CoverageImportSummary& summary,
                                const std::string& format);
void PrintCoverageTable(const metrics::CoverageTable& table, metrics::CoverageBy by,
                        const std::string& format);

// JSON string literal of `s` (quotes included), escaping per RFC 8259.
std::string JsonString(std::string_view s);
// `s` as one CSV field (RFC 4180: quoted when it holds a comma, quote or line break).
std::string CsvField(std::string_view s);

}  // namespace vigil::cli
