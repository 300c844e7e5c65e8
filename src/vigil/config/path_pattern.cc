// PathPattern: parsing a gitignore-style pattern into per-component steps, and matching them
// against a path's components with the greedy one-star-backtrack algorithm, once over
// components (for `**`) and once within a component (for `*`). Both loops are the classic
// wildcard matcher: correct for single-element and any-run wildcards, O(pattern × text).
#include "vigil/config/path_pattern.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "vigil/core/text.h"

namespace vigil::config {
namespace {

// One lexical unit of the pattern text, escapes resolved.
struct Unit {
  enum Kind : uint8_t { kLiteral, kStar, kQuestion, kSlash } kind = kLiteral;
  char c = 0;        // kLiteral: the byte.
  int star_run = 0;  // kStar: 1 for `*`, 2 for `**`.
};

Status Invalid(std::string_view pattern, std::string_view reason) {
  return InvalidArgumentError("pattern " + core::QuoteForMessage(pattern) + ": " +
                              std::string(reason));
}

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// Splits the pattern into units; rejects what PathPattern::Parse documents as invalid at the
// lexical level.
Status Lex(std::string_view pattern, std::vector<Unit>* units) {
  if (pattern.front() == '!') {
    return Invalid(pattern, "'!' negation is not supported (write '\\!' for a literal '!')");
  }
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\0') {
      return Invalid(pattern, "contains a NUL byte");
    }
    if (IsControl(c)) {
      return Invalid(pattern, "contains a control character");
    }
    switch (c) {
      case '\\': {
        if (i + 1 == pattern.size()) {
          return Invalid(pattern, "ends with an unfinished escape '\\'");
        }
        const char next = pattern[++i];
        if (next == '/') {
          return Invalid(pattern, "'/' cannot be escaped");
        }
        if (next == '\0' || IsControl(next)) {
          return Invalid(pattern, "contains a control character");
        }
        units->push_back(Unit{Unit::kLiteral, next, 0});
        break;
      }
      case '[':
        return Invalid(pattern,
                       "character ranges ('[...]') are not supported (write '\\[' for a literal "
                       "'[')");
      case '*': {
        size_t run = 1;
        while (i + run < pattern.size() && pattern[i + run] == '*') {
          ++run;
        }
        if (run >= 3) {
          return Invalid(pattern, "a run of three or more '*' is ambiguous: write '*' or '**'");
        }
        units->push_back(Unit{Unit::kStar, '*', static_cast<int>(run)});
        i += run - 1;
        break;
      }
      case '?':
        units->push_back(Unit{Unit::kQuestion, '?', 0});
        break;
      case '/':
        units->push_back(Unit{Unit::kSlash, '/', 0});
        break;
      default:
        units->push_back(Unit{Unit::kLiteral, c, 0});
        break;
    }
  }
  return OkStatus();
}

}  // namespace

Result<PathPattern> PathPattern::Parse(std::string_view pattern) {
  if (pattern.empty()) {
    return InvalidArgumentError("empty pattern");
  }
  if (pattern.size() > kMaxPatternBytes) {
    return Invalid(pattern, "longer than " + std::to_string(kMaxPatternBytes) + " bytes");
  }
  std::vector<Unit> units;
  units.reserve(pattern.size());
  VIGIL_RETURN_IF_ERROR(Lex(pattern, &units));

  // A trailing '/' restricts the match to directories; any other '/' anchors at the root.
  const bool dir_only = units.back().kind == Unit::kSlash;
  if (dir_only) {
    units.pop_back();
  }
  bool anchored = false;
  for (const Unit& u : units) {
    anchored = anchored || u.kind == Unit::kSlash;
  }
  if (!units.empty() && units.front().kind == Unit::kSlash) {
    units.erase(units.begin());
  }
  if (units.empty()) {
    return Invalid(pattern, "'/' alone matches no file (write '*' for every file)");
  }

  PathPattern out;
  out.text_ = std::string(pattern);
  // Appends a step; `**/**` is `**`.
  auto push = [&out](Step step) {
    if (step == Step::kStar && !out.segments_.empty() && out.segments_.back().step == Step::kStar) {
      return;
    }
    out.segments_.push_back(Segment{step, false, {}, {}});
  };
  if (!anchored) {
    push(Step::kStar);
  }
  // Components are the runs of units between slashes: [begin, end).
  bool final_lone_star = false;
  for (size_t begin = 0;;) {
    size_t end = begin;
    while (end < units.size() && units[end].kind != Unit::kSlash) {
      ++end;
    }
    const bool last = end == units.size();
    if (begin == end) {
      return Invalid(pattern, "empty path component ('//')");
    }
    const bool lone_star = end - begin == 1 && units[begin].kind == Unit::kStar;
    if (anchored && lone_star && units[begin].star_run == 2) {
      // `**` as a whole component: zero or more components; trailing, everything inside
      // (one or more: `abc/**` does not match `abc` itself).
      if (last) {
        push(Step::kAny);
      }
      push(Step::kStar);
    } else {
      Segment seg;
      seg.literal = std::all_of(units.begin() + static_cast<std::ptrdiff_t>(begin),
                                units.begin() + static_cast<std::ptrdiff_t>(end),
                                [](const Unit& u) { return u.kind == Unit::kLiteral; });
      for (size_t k = begin; k < end; ++k) {
        seg.chars.push_back(units[k].c);
        if (!seg.literal) {
          seg.kinds.push_back(units[k].kind == Unit::kLiteral ? 'l' : units[k].c);
        }
      }
      if (seg.literal && (seg.chars == "." || seg.chars == "..")) {
        return Invalid(pattern, "a '.' or '..' component never matches a repository path");
      }
      out.segments_.push_back(std::move(seg));
    }
    if (last) {
      final_lone_star = lone_star && units[begin].star_run == 1;
      break;
    }
    begin = end + 1;
  }
  // Whatever matched may be a directory: everything below it is covered. A directory-only
  // pattern must match a proper leading directory, so at least one component follows. A
  // final lone `*` matches files only: `docs/*` is docs' direct children, not `docs/a/b.md`
  // (GitHub's documented example; gitignore would cover `docs/a/` too).
  if (dir_only) {
    push(Step::kAny);
  }
  if (dir_only || !final_lone_star) {
    push(Step::kStar);
  }
  return out;
}

bool PathPattern::MatchComponent(const Segment& segment, std::string_view component) {
  if (segment.literal) {
    return component == segment.chars;
  }
  const std::string& chars = segment.chars;
  const std::string& kinds = segment.kinds;
  const size_t n = chars.size();
  size_t pi = 0;
  size_t si = 0;
  size_t star_pi = std::string::npos;
  size_t star_si = 0;
  while (si < component.size()) {
    if (pi < n && kinds[pi] == '*') {
      star_pi = pi++;
      star_si = si;
      continue;
    }
    if (pi < n && (kinds[pi] == '?' || chars[pi] == component[si])) {
      ++pi;
      ++si;
      continue;
    }
    if (star_pi != std::string::npos) {
      // Let the last '*' take one more byte and retry what follows it.
      pi = star_pi + 1;
      si = ++star_si;
      continue;
    }
    return false;
  }
  while (pi < n && kinds[pi] == '*') {
    ++pi;
  }
  return pi == n;
}

bool PathPattern::Matches(std::string_view path) const {
  if (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  if (path.empty()) {
    return false;
  }
  // Components are addressed by the offset of their first byte; `done` is past the end.
  const size_t done = path.size() + 1;
  auto end_of = [path](size_t at) {  // The '/' after the component at `at`, or path.size().
    const size_t slash = path.find('/', at);
    return slash == std::string_view::npos ? path.size() : slash;
  };

  const size_t m = segments_.size();
  size_t si = 0;
  size_t at = 0;
  size_t star_si = std::string::npos;
  size_t star_at = 0;
  while (at < done) {
    if (si < m && segments_[si].step == Step::kStar) {
      star_si = si++;
      star_at = at;
      continue;
    }
    const size_t end = end_of(at);
    if (si < m && (segments_[si].step == Step::kAny ||
                   MatchComponent(segments_[si], path.substr(at, end - at)))) {
      ++si;
      at = end + 1;
      continue;
    }
    if (star_si != std::string::npos) {
      // Let the last `**` take one more component and retry what follows it.
      si = star_si + 1;
      star_at = end_of(star_at) + 1;
      at = star_at;
      continue;
    }
    return false;
  }
  while (si < m && segments_[si].step == Step::kStar) {
    ++si;
  }
  return si == m;
}

}  // namespace vigil::config
