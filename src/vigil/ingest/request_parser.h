// The interface every line-oriented telemetry parser offers the importer: one line in, one
// Request (or a skip, or a rejection with a reason) out. Parsers are pure and keep no state
// across lines beyond scratch buffers.
#pragma once

#include <string>
#include <string_view>

#include "vigil/ingest/rollup_builder.h"

namespace vigil::ingest {

// Why a line was rejected (a stable short code and a human reason naming the bad part), or
// why an accepted line deserves a warning.
struct LineIssue {
  std::string_view code;  // "bad_timestamp", "malformed_request", ...
  std::string reason;
};

class RequestParser {
 public:
  RequestParser() = default;
  virtual ~RequestParser() = default;
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  enum class Outcome {
    kRequest,  // *out filled (views valid until the next call); *issue set when it warrants a
               // warning (issue->code non-empty)
    kSkip,     // nothing to count: a blank line, a header or comment
    kReject,   // *issue says why
  };
  virtual Outcome Parse(std::string_view line, Request* out, LineIssue* issue) = 0;

  // What the parser reads, for the summary: "nginx combined + $request_time".
  virtual std::string Describe() const = 0;
};

}  // namespace vigil::ingest
