// Journey matching and automatic routes (DESIGN §6 "Journeys and routes"). Pure functions over
// request paths; no allocation on the matching path. Thread-safe (immutable after construction).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"

namespace vigil::ingest {

// The path of a request target: the query (`?…`) and fragment are stripped, an absolute-form
// target (`http://host/p`) loses its scheme and host, and a trailing slash is ignored ("/a/" →
// "/a"; "/" stays "/"). Case is kept.
std::string_view RequestPath(std::string_view target);

// True for an HTTP method token (RFC 9110 tchar+), e.g. "GET", "PROPFIND".
bool IsMethodToken(std::string_view method);

// A compiled journey route pattern: literal segments, `:x`, `{x}` and `*` match exactly one
// segment, `**` (last only) matches the rest, zero or more segments.
class RoutePattern {
 public:
  // Error (kInvalidArgument) for a pattern not starting with '/' or with `**` before the end.
  static Result<RoutePattern> Compile(std::string_view pattern);
  bool Matches(std::string_view path) const;  // `path` as RequestPath returns it
  const std::string& text() const { return text_; }

 private:
  enum class SegKind { kLiteral, kOne, kRest };
  struct Segment {
    SegKind kind;
    std::string literal;
  };
  std::string text_;
  std::vector<Segment> segments_;
};

// True when a path segment is an identifier that automatic routes replace with ":id": all
// digits, a UUID (8-4-4-4-12 hex), or 16 or more hex digits.
bool IsIdSegment(std::string_view segment);

// Writes the automatic route of (method, path) into *out, replacing its contents:
// "GET /api/items/:id". Reuses out's capacity, so a caller-owned buffer allocates nothing per
// request once it has grown. True when a segment was an id (such paths rarely repeat).
bool AutomaticRoute(std::string_view method, std::string_view path, std::string* out);

// True when a segment of `path` is an id (IsIdSegment).
bool HasIdSegment(std::string_view path);

}  // namespace vigil::ingest
