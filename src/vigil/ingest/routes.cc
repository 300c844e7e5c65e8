#include "vigil/ingest/routes.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace vigil::ingest {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsTchar(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
    return true;
  }
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// The offset of the first `c` in `s`, or npos. Paths and their segments are short: a byte loop
// beats a memchr call.
size_t FindShort(std::string_view s, char c) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == c) {
      return i;
    }
  }
  return std::string_view::npos;
}

// The offset of the first '?' or '#' of a target, or its size: 16-byte SSE2 blocks (the x86-64
// baseline), then a byte loop.
size_t FindQueryOrFragment(std::string_view target) {
  size_t i = 0;
#if defined(__x86_64__)
  const __m128i query = _mm_set1_epi8('?');
  const __m128i fragment = _mm_set1_epi8('#');
  for (; i + 16 <= target.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(target.data() + i));
    const auto mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, query), _mm_cmpeq_epi8(v, fragment))));
    if (mask != 0) {
      return i + static_cast<size_t>(__builtin_ctz(mask));
    }
  }
#endif
  for (; i < target.size(); ++i) {
    if (target[i] == '?' || target[i] == '#') {
      return i;
    }
  }
  return target.size();
}

// Splits off the next segment of a path that starts after a '/'; *last says whether it was
// the last one.
std::string_view NextSegment(std::string_view* rest, bool* last) {
  const size_t slash = FindShort(*rest, '/');
  *last = slash == std::string_view::npos;
  std::string_view seg = rest->substr(0, slash);
  rest->remove_prefix(*last ? rest->size() : slash + 1);
  return seg;
}

}  // namespace

std::string_view RequestPath(std::string_view target) {
  if (target.starts_with("http://") || target.starts_with("https://")) {
    size_t host = target.find("://") + 3;
    size_t slash = target.find('/', host);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  target = target.substr(0, FindQueryOrFragment(target));
  if (target.empty()) {
    return "/";
  }
  while (target.size() > 1 && target.back() == '/') {
    target.remove_suffix(1);
  }
  return target;
}

bool IsMethodToken(std::string_view method) {
  if (method.empty() || method.size() > 32) {
    return false;
  }
  for (char c : method) {
    if (!IsTchar(c)) {
      return false;
    }
  }
  return true;
}

Result<RoutePattern> RoutePattern::Compile(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    return InvalidArgumentError("route pattern '" + std::string(pattern) + "' must start with '/'");
  }
  RoutePattern p;
  p.text_ = std::string(pattern);
  std::string_view rest = RequestPath(pattern);
  if (rest == "/") {
    return p;  // matches only the root
  }
  rest.remove_prefix(1);
  while (true) {
    bool last = false;
    std::string_view seg = NextSegment(&rest, &last);
    Segment s;
    if (seg == "**") {
      if (!last) {
        return InvalidArgumentError("route pattern '" + std::string(pattern) +
                                    "': '**' must be the last segment");
      }
      s.kind = SegKind::kRest;
    } else if (seg == "*" || (seg.size() > 1 && seg.front() == ':') ||
               (seg.size() > 2 && seg.front() == '{' && seg.back() == '}')) {
      s.kind = SegKind::kOne;
    } else {
      s.kind = SegKind::kLiteral;
      s.literal = std::string(seg);
    }
    p.segments_.push_back(std::move(s));
    if (last) {
      break;
    }
  }
  return p;
}

bool RoutePattern::Matches(std::string_view path) const {
  if (segments_.empty()) {
    return path == "/";
  }
  if (path.empty() || path.front() != '/') {
    return false;
  }
  std::string_view rest = path.substr(1);
  bool exhausted = path == "/";
  for (const Segment& s : segments_) {
    if (s.kind == SegKind::kRest) {
      return true;
    }
    if (exhausted) {
      return false;
    }
    std::string_view seg = NextSegment(&rest, &exhausted);
    if (s.kind == SegKind::kLiteral && seg != s.literal) {
      return false;
    }
    if (s.kind == SegKind::kOne && seg.empty()) {
      return false;
    }
  }
  return exhausted;
}

bool IsIdSegment(std::string_view segment) {
  if (segment.empty()) {
    return false;
  }
  if (segment.size() == 36 && segment[8] == '-') {  // a UUID, 8-4-4-4-12 hex digits
    for (size_t i = 0; i < 36; ++i) {
      bool dash_at = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_at ? segment[i] != '-' : !IsHex(segment[i])) {
        return false;
      }
    }
    return true;
  }
  // All digits, or 16 or more hex digits; most segments fail at their first letter.
  bool all_digits = true;
  for (char c : segment) {
    if (!IsHex(c)) {
      return false;
    }
    all_digits = all_digits && c >= '0' && c <= '9';
  }
  return all_digits || segment.size() >= 16;
}

bool AutomaticRoute(std::string_view method, std::string_view path, std::string* out) {
  out->clear();
  out->append(method);
  out->push_back(' ');
  if (path.empty() || path.front() != '/') {
    out->append(path);
    return false;
  }
  if (path == "/") {
    out->push_back('/');
    return false;
  }
  bool had_id = false;
  std::string_view rest = path.substr(1);
  while (true) {
    bool last = false;
    std::string_view seg = NextSegment(&rest, &last);
    out->push_back('/');
    if (IsIdSegment(seg)) {
      out->append(":id");
      had_id = true;
    } else {
      out->append(seg);
    }
    if (last) {
      break;
    }
  }
  return had_id;
}

bool HasIdSegment(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return false;
  }
  std::string_view rest = path.substr(1);
  bool last = rest.empty();
  while (!last) {
    if (IsIdSegment(NextSegment(&rest, &last))) {
      return true;
    }
  }
  return false;
}

}  // namespace vigil::ingest
