// PathPattern: the gitignore-style path patterns of CODEOWNERS lines and of `areas:` globs in
// vigil.yaml, parsed once and matched against repository-relative file paths.
//
// Owns: the pattern language (docs/ownership.md) and its matcher. Does not own: CODEOWNERS
// lines (codeowners.h) or the `areas:` config (config.h), which both use it. A PathPattern is
// an immutable value; Matches is const, allocation-free and safe from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"

namespace vigil::config {

// A gitignore-style path pattern as CODEOWNERS and `areas:` use them (gitignore's PATTERN
// FORMAT less `!` negation and `[...]` ranges, as GitHub documents for CODEOWNERS):
//   - no '/' except a trailing one: floats, matching any path component at any depth
//     (`*.md`, `logs`, `apps/`); a leading or middle '/' anchors at the root (`/build`,
//     `docs/*`);
//   - a match on a directory covers everything below it (`logs`, `/apps/github`); a trailing
//     '/' matches directories only (`logs/` covers `a/logs/x` but not a file named `logs`);
//     a final lone `*` matches files only (`docs/*`: not `docs/a/b.md`, as GitHub documents);
//   - `*` is any run within one component, `?` one byte other than '/'; `**` as a whole
//     component of an anchored pattern is zero or more components (`**/x`, `a/**/b`), and
//     trailing (`abc/**`) everything inside; other runs of `**` are a plain `*`;
//   - `\x` is a literal x (`\*`, `\ `, `\#`, `\!`, `\[`); matching is byte-wise and
//     case-sensitive, and a leading '.' is not special.
// Matching runs in O(components × component work) time: no regex, no backtracking blow-up
// (`*a*a*a*a*a*b` over long paths stays linear-ish), no allocation.
class PathPattern {
 public:
  static constexpr size_t kMaxPatternBytes = 4096;

  // Parses `pattern`. kInvalidArgument, with a reason quoting the pattern, for: an empty
  // pattern or one over kMaxPatternBytes; a NUL or other ASCII control byte; a leading '!'
  // (negation); an unescaped '[' (ranges); a run of three or more '*' (ambiguous: write `*`
  // or `**`); a trailing lone '\' or an escaped '/'; a pattern of only '/'; an empty
  // component (`a//b`); a `.` or `..` component (repository paths never hold them).
  static Result<PathPattern> Parse(std::string_view pattern);

  // True when the pattern matches `path` or one of its leading directories. `path` is
  // repository-relative, '/'-separated, no leading '/' (one is tolerated and ignored), a file
  // (not a directory). An empty path matches nothing.
  bool Matches(std::string_view path) const;

  // The pattern as given to Parse.
  const std::string& text() const { return text_; }

 private:
  // One step of the compiled pattern, applied to whole path components.
  enum class Step : uint8_t {
    kGlob,  // One component matching `chars` (with `kinds` marking '*' and '?').
    kAny,   // Exactly one component, whatever it is.
    kStar,  // Zero or more components.
  };
  struct Segment {
    Step step = Step::kGlob;
    bool literal = false;  // kGlob without wildcards: compare bytes.
    std::string chars;     // kGlob: the bytes, with escapes resolved.
    std::string kinds;     // kGlob: per byte, 'l' literal, '*' any run, '?' one byte.
  };

  PathPattern() = default;

  static bool MatchComponent(const Segment& segment, std::string_view component);

  std::string text_;
  std::vector<Segment> segments_;
};

}  // namespace vigil::config
