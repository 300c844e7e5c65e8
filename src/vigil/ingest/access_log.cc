#include "vigil/ingest/access_log.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <vector>

#include "vigil/ingest/log_time_format.h"

// AddressSanitizer reports any read past an object, even one that cannot fault: the quote index
// then copies a line's last block out instead of loading it in place.
#if defined(__SANITIZE_ADDRESS__)
#define VIGIL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIGIL_ASAN 1
#endif
#endif
#ifndef VIGIL_ASAN
#define VIGIL_ASAN 0
#endif

namespace vigil::ingest {

// The compiled format. Two engines: kClf is a hand-written tokenizer for the combined/common
// family ("nginx", "apache" and what Detect finds), with optional trailing fields; kPattern
// interprets a GoAccess format string (predefined names are format strings too).
struct AccessLogFormat::Program {
  enum class Engine { kClf, kPattern };
  enum class OpKind { kLiteral, kField, kSkipSpaces };
  struct Op {
    OpKind kind = OpKind::kLiteral;
    char c = '\0';         // The literal byte, or the field's specifier letter.
    char delim = '\0';     // Field: the literal ending it; '\0': the rest of the line.
    bool quoted = false;   // Field: opened and closed by '"'.
    bool zone = false;     // Field '^' after "%t " / "%x ": a ±hhmm offset when it reads as one.
    bool latency = false;  // Field: the time-served field that counts (the first one).
  };

  Engine engine = Engine::kClf;
  std::string describe;
  LatencyUnit unit = LatencyUnit::kNone;

  // kClf.
  bool vhost_prefix = false;  // A `vhost:port` field before the client address.
  int min_quoted = 0;         // Quoted fields required after the body bytes (2: combined).

  // kPattern.
  std::vector<Op> ops;
  std::optional<LogTimeFormat> date;      // %d
  std::optional<LogTimeFormat> time;      // %t
  std::optional<LogTimeFormat> datetime;  // %x
  size_t last_time_op = 0;                // After this op the timestamp is complete.
  bool has_request_line = false;          // %r; else %m %U %q %H.
  bool has_method = false;
};

namespace {

using Program = AccessLogFormat::Program;

constexpr size_t kNpos = std::string_view::npos;
// Detect looks at this many non-empty lines at most.
constexpr size_t kMaxDetectLines = 100;
// Detect decides the unit of integer latencies only from this many values or more.
constexpr size_t kMinIntegerLatencySamples = 10;

using core::AllDigits;
using core::EqualsIgnoreCase;
using core::IsDigit;

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// RFC 9110 tchar: the bytes an HTTP method may have.
bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c)) {
    return true;
  }
  constexpr std::string_view kOther = "!#$%&'*+-.^_`|~";
  return kOther.find(c) != kNpos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!IsTchar(c)) {
      return false;
    }
  }
  return true;
}

std::string Num(uint64_t n) {
  return std::to_string(n);
}

// What is at byte `pos` of `line`, for "found ..." in reasons.
std::string FoundAt(std::string_view line, size_t pos) {
  if (pos >= line.size()) {
    return "the end";
  }
  return QuoteForMessage(line.substr(pos, 1));
}

template <typename... Parts>
bool Reject(LineRejection* rejection, std::string_view code, const Parts&... parts) {
  rejection->code = code;
  rejection->reason.clear();
  (rejection->reason.append(parts), ...);
  return false;
}

// The offset of the first byte of p[0, n) equal to `delim` or '\\', or n. One pass over the
// bytes with vector compares: 32-byte blocks where the CPU has AVX2 (checked once at run time),
// else 16-byte SSE2 blocks (the x86-64 baseline), else a byte loop. Never reads past p + n.
size_t FindByteOrBackslashScalar(const char* p, size_t n, char delim) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] == delim || p[i] == '\\') {
      return i;
    }
  }
  return n;
}

#if defined(__x86_64__)
size_t FindByteOrBackslashSse2(const char* p, size_t n, char delim) {
  const __m128i d = _mm_set1_epi8(delim);
  const __m128i b = _mm_set1_epi8('\\');
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, b)));
    if (mask != 0) {
      return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
  }
  return i + FindByteOrBackslashScalar(p + i, n - i, delim);
}

__attribute__((target("avx2"))) size_t FindByteOrBackslashAvx2(const char* p, size_t n,
                                                               char delim) {
  const __m256i d = _mm256_set1_epi8(delim);
  const __m256i b = _mm256_set1_epi8('\\');
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    const unsigned mask = static_cast<unsigned>(
        _mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(v, d), _mm256_cmpeq_epi8(v, b))));
    if (mask != 0) {
      return i + static_cast<size_t>(__builtin_ctz(mask));
    }
  }
  return i + FindByteOrBackslashSse2(p + i, n - i, delim);
}

using FindFn = size_t (*)(const char*, size_t, char);
FindFn PickFindByteOrBackslash() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? &FindByteOrBackslashAvx2 : &FindByteOrBackslashSse2;
}
const FindFn kFindByteOrBackslash = PickFindByteOrBackslash();
#else
const auto kFindByteOrBackslash = &FindByteOrBackslashScalar;
#endif

// Where a line's '"' and '\\' bytes are: one bit per byte, 64 bytes to a word, built in one
// vector pass per line (the quoted fields of a combined line are then found by bit scans, not
// by a scan each). Same vector choice as above.
#if defined(__x86_64__)
uint64_t QuoteBitsSse2(const char* p) {
  const __m128i q = _mm_set1_epi8('"');
  const __m128i b = _mm_set1_epi8('\\');
  uint64_t bits = 0;
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const auto mask = static_cast<uint32_t>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, b))));
    bits |= static_cast<uint64_t>(mask) << (16 * k);
  }
  return bits;
}

__attribute__((target("avx2"))) uint64_t QuoteBitsAvx2(const char* p) {
  const __m256i q = _mm256_set1_epi8('"');
  const __m256i b = _mm256_set1_epi8('\\');
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  const auto lo_mask = static_cast<uint32_t>(
      _mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(lo, q), _mm256_cmpeq_epi8(lo, b))));
  const auto hi_mask = static_cast<uint32_t>(
      _mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(hi, q), _mm256_cmpeq_epi8(hi, b))));
  return static_cast<uint64_t>(lo_mask) | (static_cast<uint64_t>(hi_mask) << 32);
}

template <uint64_t (*kBlock)(const char*)>
__attribute__((flatten)) void BuildQuoteBits(const char* p, size_t n, uint64_t* words) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    *words++ = kBlock(p + i);
  }
  if (i < n) {
    const size_t rest = n - i;
#if !VIGIL_ASAN
    // The 64 bytes from p + i lie in one page: loading them cannot fault, and the bits of the
    // bytes past the line are cleared (the loads read them, the index never shows them).
    if ((reinterpret_cast<uintptr_t>(p + i) & 4095) <= 4096 - 64) {
      *words = kBlock(p + i) & ((uint64_t{1} << rest) - 1);
      return;
    }
#endif
    // Else the last partial block is copied out.
    alignas(64) char tail[64] = {};
    std::memcpy(tail, p + i, rest);
    *words = kBlock(tail);
  }
}

using QuoteBitsFn = void (*)(const char*, size_t, uint64_t*);
QuoteBitsFn PickQuoteBits() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? &BuildQuoteBits<&QuoteBitsAvx2>
                                        : &BuildQuoteBits<&QuoteBitsSse2>;
}
const QuoteBitsFn kBuildQuoteBits = PickQuoteBits();
#else
uint64_t QuoteBitsScalar(const char* p) {
  uint64_t bits = 0;
  for (size_t i = 0; i < 64; ++i) {
    bits |= static_cast<uint64_t>(p[i] == '"' || p[i] == '\\') << i;
  }
  return bits;
}

void BuildQuoteBitsScalar(const char* p, size_t n, uint64_t* words) {
  for (size_t i = 0; i < n; i += 64) {
    char block[64] = {};
    std::memcpy(block, p + i, std::min<size_t>(64, n - i));
    *words++ = QuoteBitsScalar(block);
  }
}
const auto kBuildQuoteBits = &BuildQuoteBitsScalar;
#endif

}  // namespace

// The quote index of one line (declared in access_log.h so parsers own one each).
void AccessLogFormat::QuoteIndex::Build(std::string_view line) {
  const size_t words = (line.size() + 63) / 64;
  if (bits_.size() < words) {
    bits_.resize(std::max(words, bits_.size() * 2));
  }
  size_ = line.size();
  kBuildQuoteBits(line.data(), line.size(), bits_.data());
}

size_t AccessLogFormat::QuoteIndex::Next(size_t from) const {
  if (from >= size_) {
    return std::string_view::npos;
  }
  size_t w = from >> 6;
  uint64_t bits = bits_[w] & (~uint64_t{0} << (from & 63));
  const size_t words = (size_ + 63) / 64;
  while (bits == 0) {
    if (++w >= words) {
      return std::string_view::npos;
    }
    bits = bits_[w];
  }
  return w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
}

namespace {

// s.substr(pos, n) without the range check's throw path (which keeps substr from being
// inlined); pos past the end gives an empty view, as the callers' checks make impossible.
inline std::string_view Sub(std::string_view s, size_t pos, size_t n = kNpos) {
  pos = std::min(pos, s.size());
  return {s.data() + pos, std::min(n, s.size() - pos)};
}

// The offset of the first `c` in line[from, end), or kNpos. For the short fields (address,
// status, bytes, method): inline 16-byte SSE2 blocks (the x86-64 baseline), then a byte loop;
// no call to memchr, whose setup costs more than these fields.
inline size_t FindShort(std::string_view line, char c, size_t from = 0) {
#if defined(__x86_64__)
  const __m128i needle = _mm_set1_epi8(c);
  for (; from + 16 <= line.size(); from += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + from));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
    if (mask != 0) {
      return from + static_cast<size_t>(__builtin_ctz(mask));
    }
  }
#endif
  for (size_t i = from; i < line.size(); ++i) {
    if (line[i] == c) {
      return i;
    }
  }
  return kNpos;
}

// The position of the first `delim` at or after `from` that is not escaped by a backslash
// (a backslash escapes the byte after it: Apache's \" and \\), or kNpos.
size_t FindDelimiter(std::string_view line, size_t from, char delim) {
  if (from >= line.size()) {
    return kNpos;
  }
  // Fast path: one scan for the delimiter or a backslash; escapes are rare.
  const size_t hit = from + kFindByteOrBackslash(line.data() + from, line.size() - from, delim);
  if (hit == line.size()) {
    return kNpos;
  }
  if (line[hit] == delim) {
    return hit;
  }
  for (size_t i = hit; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\') {
      ++i;
    } else if (c == delim) {
      return i;
    }
  }
  return kNpos;
}

// FindDelimiter for '"' on a line whose quote index is built: the same answer from bit scans.
// *escaped is set when a backslash came before the quote found.
size_t FindQuote(std::string_view line, const AccessLogFormat::QuoteIndex& index, size_t from,
                 bool* escaped) {
  const size_t hit = index.Next(from);
  if (hit == kNpos || line[hit] == '"') {
    return hit;
  }
  *escaped = true;
  for (size_t i = hit; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\') {
      ++i;
    } else if (c == '"') {
      return i;
    }
  }
  return kNpos;
}

// Undoes nginx (\xHH) and Apache (\" \\ \t \n \r \b \v \f \xhh) escaping into `dst` (room for
// src.size() bytes); returns the length. Other backslashes are kept as they are.
size_t Unescape(std::string_view src, char* dst) {
  size_t out = 0;
  for (size_t i = 0; i < src.size(); ++i) {
    const char c = src[i];
    if (c != '\\' || i + 1 >= src.size()) {
      dst[out++] = c;
      continue;
    }
    const char next = src[i + 1];
    char decoded = '\0';
    size_t used = 2;
    switch (next) {
      case 'x':
      case 'X':
        if (i + 3 < src.size() && HexValue(src[i + 2]) >= 0 && HexValue(src[i + 3]) >= 0) {
          decoded = static_cast<char>(HexValue(src[i + 2]) * 16 + HexValue(src[i + 3]));
          used = 4;
        } else {
          used = 0;
        }
        break;
      case '"':
      case '\\':
        decoded = next;
        break;
      case 't':
        decoded = '\t';
        break;
      case 'n':
        decoded = '\n';
        break;
      case 'r':
        decoded = '\r';
        break;
      case 'b':
        decoded = '\b';
        break;
      case 'v':
        decoded = '\v';
        break;
      case 'f':
        decoded = '\f';
        break;
      default:
        used = 0;
    }
    if (used == 0) {
      dst[out++] = c;
      continue;
    }
    dst[out++] = decoded;
    i += used - 1;
  }
  return out;
}

// `text` unescaped into `scratch` when it has a backslash, else itself.
std::string_view Unescaped(std::string_view text, char* scratch) {
  if (FindShort(text, '\\') == kNpos) {
    return text;
  }
  return {scratch, Unescape(text, scratch)};
}

// Splits a request line (access-logs.md §4): method = first token, protocol = last token when
// it starts with "HTTP/", target = the rest (it may hold spaces).
// `may_escape`: false when the caller knows the request has no backslash.
void SplitRequest(std::string_view request, char* scratch, AccessLogRecord* out,
                  bool may_escape = true) {
  out->method = {};
  out->target = {};
  out->protocol = {};
  out->malformed_request = true;
  // "-", "", a TLS ClientHello (\x16\x03, escaped or raw) or anything without a space.
  const size_t space = FindShort(request, ' ');
  if (space == kNpos || space == 0) {
    return;
  }
  const std::string_view method = request.substr(0, space);
  if (!IsToken(method)) {  // Also catches "\x16\x03...": '\' is not a tchar.
    return;
  }
  std::string_view rest = request.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') {
    rest.remove_prefix(1);
  }
  while (!rest.empty() && rest.back() == ' ') {
    rest.remove_suffix(1);
  }
  if (rest.empty()) {
    return;
  }
  const size_t last_space = rest.rfind(' ');
  const std::string_view last = last_space == kNpos ? rest : rest.substr(last_space + 1);
  std::string_view target = rest;
  std::string_view protocol;
  if (last.substr(0, 5) == "HTTP/") {
    if (last_space == kNpos) {  // "GET HTTP/1.1": no target.
      return;
    }
    protocol = last;
    target = rest.substr(0, last_space);
    while (!target.empty() && target.back() == ' ') {
      target.remove_suffix(1);
    }
  }
  out->method = method;
  out->target = may_escape ? Unescaped(target, scratch) : target;
  out->protocol = protocol;
  // HTTP/0.9 ("GET /") keeps method and target, and is still flagged.
  out->malformed_request = protocol.empty();
}

std::string_view UnitWords(LatencyUnit unit) {
  switch (unit) {
    case LatencyUnit::kNone:
      return "no latency";
    case LatencyUnit::kSeconds:
      return "decimal seconds";
    case LatencyUnit::kMicros:
      return "integer microseconds";
    case LatencyUnit::kMillis:
      return "integer milliseconds";
    case LatencyUnit::kNanos:
      return "integer nanoseconds";
    case LatencyUnit::kWholeSeconds:
      return "integer seconds";
  }
  return "?";
}

// Reads a latency token in `unit` into *out ("-": nullopt). Decimal seconds are read as
// integers (no floating point): "0.042" → 42000 µs, "0.0005" → 500 µs; digits past µs are
// truncated.
bool ParseLatency(std::string_view token, LatencyUnit unit, std::optional<core::LatencyUs>* out,
                  LineRejection* rejection) {
  if (token == "-") {
    *out = std::nullopt;
    return true;
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t whole = 0;
  size_t i = 0;
  bool overflow = false;
  while (i < token.size() && IsDigit(token[i])) {
    const int digit = token[i] - '0';
    if (overflow || whole > (kMax - digit) / 10) {
      overflow = true;
    } else {
      whole = whole * 10 + digit;
    }
    ++i;
  }
  int64_t fraction_us = 0;
  bool ok = i > 0;
  if (ok && unit == LatencyUnit::kSeconds && i < token.size() && token[i] == '.') {
    ++i;
    size_t digits = 0;
    while (i < token.size() && IsDigit(token[i])) {
      if (digits < 6) {
        fraction_us = fraction_us * 10 + (token[i] - '0');
      }
      ++digits;
      ++i;
    }
    for (size_t d = digits; d < 6; ++d) {
      fraction_us *= 10;
    }
    ok = digits > 0;
  }
  if (!ok || i != token.size()) {
    return Reject(rejection, "bad_latency", "bad latency ", QuoteForMessage(token), ": expected ",
                  UnitWords(unit), " or '-'");
  }
  int64_t us = 0;
  switch (unit) {
    case LatencyUnit::kSeconds:
    case LatencyUnit::kWholeSeconds:
      overflow = overflow || whole > (kMax - fraction_us) / 1'000'000;
      us = overflow ? 0 : whole * 1'000'000 + fraction_us;
      break;
    case LatencyUnit::kMillis:
      overflow = overflow || whole > kMax / 1000;
      us = overflow ? 0 : whole * 1000;
      break;
    case LatencyUnit::kNanos:
      us = whole / 1000;
      break;
    case LatencyUnit::kMicros:
    case LatencyUnit::kNone:
      us = whole;
      break;
  }
  if (overflow) {
    return Reject(rejection, "bad_latency", "bad latency ", QuoteForMessage(token), ": too large");
  }
  *out = core::LatencyUs::FromMicros(us);
  return true;
}

bool ParseStatus(std::string_view token, int* status, LineRejection* rejection) {
  if (token.size() != 3 || !AllDigits(token)) {
    return Reject(rejection, "bad_status", "bad status ", QuoteForMessage(token),
                  ": expected a 3-digit number");
  }
  const int v = (token[0] - '0') * 100 + (token[1] - '0') * 10 + (token[2] - '0');
  if (v < 100 || v > 599) {
    return Reject(rejection, "bad_status", "bad status ", token, ": outside 100..599");
  }
  *status = v;
  return true;
}

bool CheckBodyBytes(std::string_view token, LineRejection* rejection) {
  if (token == "-" || AllDigits(token)) {
    return true;
  }
  return Reject(rejection, "format_mismatch", "body bytes ", QuoteForMessage(token),
                " is not a number or '-'");
}

// What the kClf engine saw after the body bytes (for Detect).
struct ClfShape {
  int quoted = 0;                // Quoted fields after the body bytes.
  std::string_view tail_token;   // The first unquoted token after them, if any.
  bool more_after_tail = false;  // Something follows that token.
};

// A CLF stamp "dd/Mon/yyyy:HH:MM:SS +zzzz" of a minute already parsed: only the seconds are
// read. Anything else (another minute, another length, second 60) takes the full parse.
constexpr size_t kClfStampBytes = 26;

bool CachedClfTime(const AccessLogFormat::MinuteCache& cache, std::string_view stamp,
                   core::Timestamp* out) {
  if (!cache.valid || stamp.size() != kClfStampBytes || stamp[17] != ':' || stamp[20] != ' ' ||
      !core::IsDigit(stamp[18]) || !core::IsDigit(stamp[19]) ||
      std::memcmp(stamp.data(), cache.key.data(), 17) != 0 ||
      std::memcmp(stamp.data() + 20, cache.key.data() + 17, 6) != 0) {
    return false;
  }
  const int second = (stamp[18] - '0') * 10 + (stamp[19] - '0');
  if (second > 59) {
    return false;
  }
  *out = core::Timestamp::FromUnixMillis(cache.minute_ms + int64_t{second} * 1000);
  return true;
}

void RememberClfMinute(std::string_view stamp, core::Timestamp time,
                       AccessLogFormat::MinuteCache* cache) {
  cache->valid = false;
  if (stamp.size() != kClfStampBytes || stamp[17] != ':' || stamp[20] != ' ' ||
      !core::IsDigit(stamp[18]) || !core::IsDigit(stamp[19])) {
    return;
  }
  const int second = (stamp[18] - '0') * 10 + (stamp[19] - '0');
  if (second > 59) {
    return;
  }
  std::memcpy(cache->key.data(), stamp.data(), 17);
  std::memcpy(cache->key.data() + 17, stamp.data() + 20, 6);
  cache->minute_ms = time.unix_ms() - int64_t{second} * 1000;
  cache->valid = true;
}

bool ParseClf(const Program& p, std::string_view line, char* scratch, AccessLogRecord* out,
              LineRejection* rejection, ClfShape* shape,
              AccessLogFormat::MinuteCache* minute_cache = nullptr,
              AccessLogFormat::QuoteIndex* quotes = nullptr) {
  // Quotes are found through the line's quote index when the caller keeps one.
  bool escaped = quotes == nullptr;
  if (quotes != nullptr) {
    quotes->Build(line);
  }
  auto find_quote = [&](size_t from) {
    return quotes != nullptr ? FindQuote(line, *quotes, from, &escaped)
                             : FindDelimiter(line, from, '"');
  };
  const size_t n = line.size();
  size_t pos = 0;
  if (p.vhost_prefix) {
    const size_t space = FindShort(line, ' ');
    if (space == kNpos) {
      return Reject(rejection, "missing_field", "line ends in the vhost:port field");
    }
    const std::string_view field = Sub(line, 0, space);
    const size_t colon = field.rfind(':');
    if (colon == kNpos || colon == 0) {
      return Reject(rejection, "format_mismatch", "expected vhost:port at byte 0, found ",
                    QuoteForMessage(field));
    }
    out->vhost = field.substr(0, colon);
    pos = space + 1;
  }
  // Client address, then identd and user skipped up to the '[' (GoAccess `%h %^[`).
  const size_t host_end = FindShort(line, ' ', pos);
  if (host_end == kNpos) {
    return Reject(rejection, "missing_field", "line ends after the client address");
  }
  if (host_end == pos) {
    return Reject(rejection, "format_mismatch", "expected a client address at byte ", Num(pos),
                  ", found ' '");
  }
  // The timestamp is the `[...]` just before ` "` opening the request. The user field is
  // client-controlled (nginx logs any Basic-auth user name, `[`, `]` and spaces raw), so the
  // first '[' is not trusted: the first unescaped '"' on the line opens the request (both
  // servers escape quotes inside fields), and the stamp ends right before it.
  size_t open = kNpos;
  size_t close = kNpos;
  const size_t request_quote = find_quote(host_end);
  if (request_quote != kNpos && request_quote >= host_end + 3 && line[request_quote - 1] == ' ' &&
      line[request_quote - 2] == ']') {
    close = request_quote - 2;
    // A CLF stamp is 26 bytes: check there first, search back only for other shapes.
    open = close >= kClfStampBytes + 1 && line[close - kClfStampBytes - 1] == '['
               ? close - kClfStampBytes - 1
               : line.rfind('[', close);
    if (open == kNpos || open < host_end) {
      return Reject(rejection, "missing_field", "no '[' opening the timestamp");
    }
  } else {
    open = line.find('[', host_end);
    if (open == kNpos) {
      return Reject(rejection, "missing_field", "no '[' opening the timestamp");
    }
    close = line.find(']', open);
    if (close == kNpos) {
      return Reject(rejection, "missing_field", "no ']' closing the timestamp opened at byte ",
                    Num(open));
    }
  }
  const std::string_view stamp = Sub(line, open + 1, close - open - 1);
  if (minute_cache == nullptr || !CachedClfTime(*minute_cache, stamp, &out->time)) {
    Result<core::Timestamp> time = core::ParseClfTime(stamp);
    if (!time.ok()) {
      return Reject(rejection, "bad_timestamp", "bad timestamp ", QuoteForMessage(stamp), ": ",
                    time.status().message());
    }
    out->time = *time;
    if (minute_cache != nullptr) {
      RememberClfMinute(stamp, *time, minute_cache);
    }
  }
  pos = close + 1;
  // Request.
  if (pos >= n) {
    return Reject(rejection, "missing_field", "line ends before the request");
  }
  if (line[pos] != ' ' || pos + 1 >= n || line[pos + 1] != '"') {
    const size_t bad = line[pos] != ' ' ? pos : pos + 1;
    if (bad >= n) {
      return Reject(rejection, "missing_field", "line ends before the request");
    }
    return Reject(rejection, "format_mismatch", "expected ' \"' before the request at byte ",
                  Num(pos), ", found ", QuoteForMessage(Sub(line, pos, 2)));
  }
  pos += 2;
  const size_t request_end = find_quote(pos);
  if (request_end == kNpos) {
    return Reject(rejection, "unterminated_quote",
                  "unterminated quote: the request opened at byte ", Num(pos - 1),
                  " has no closing '\"'");
  }
  const std::string_view request = Sub(line, pos, request_end - pos);
  pos = request_end + 1;
  // Status and body bytes.
  if (pos >= n) {
    return Reject(rejection, "missing_field", "line ends before the status");
  }
  if (line[pos] != ' ') {
    return Reject(rejection, "format_mismatch", "expected ' ' after the request at byte ", Num(pos),
                  ", found ", FoundAt(line, pos));
  }
  ++pos;
  size_t end = std::min(FindShort(line, ' ', pos), n);
  if (!ParseStatus(Sub(line, pos, end - pos), &out->status, rejection)) {
    return false;
  }
  pos = end;
  if (pos + 1 >= n) {
    return Reject(rejection, "missing_field", "line ends before the body bytes");
  }
  ++pos;
  end = std::min(FindShort(line, ' ', pos), n);
  if (!CheckBodyBytes(Sub(line, pos, end - pos), rejection)) {
    return false;
  }
  pos = end;
  // Quoted fields: referer and user agent (combined), then any others (nginx `main`...).
  int quoted = 0;
  while (pos < n) {
    if (line[pos] != ' ') {
      return Reject(rejection, "format_mismatch", "expected ' ' at byte ", Num(pos), ", found ",
                    FoundAt(line, pos));
    }
    ++pos;
    if (pos >= n || line[pos] != '"') {
      break;
    }
    const size_t quote_end = find_quote(pos + 1);
    if (quote_end == kNpos) {
      const std::string what = quoted == 0 ? std::string("referer")
                               : quoted == 1
                                   ? std::string("user agent")
                                   : "quoted field " + Num(quoted + 1) + " after the bytes";
      return Reject(rejection, "unterminated_quote", "unterminated quote: the ", what,
                    " opened at byte ", Num(pos), " has no closing '\"'");
    }
    ++quoted;
    pos = quote_end + 1;
  }
  if (quoted < p.min_quoted) {
    const char* what = quoted == 0 ? "the referer" : "the user agent";
    if (pos >= n) {
      return Reject(rejection, "missing_field", "line ends before ", what);
    }
    return Reject(rejection, "format_mismatch", "expected '\"' opening ", what, " at byte ",
                  Num(pos), ", found ", FoundAt(line, pos));
  }
  // The first unquoted token: the latency, when the format has one. The rest is ignored
  // ($upstream_response_time lists and the like).
  std::string_view token;
  if (pos < n && line[pos] != ' ') {
    end = std::min(FindShort(line, ' ', pos), n);
    token = Sub(line, pos, end - pos);
    if (shape != nullptr) {
      shape->tail_token = token;
      shape->more_after_tail = end < n;
    }
  }
  if (shape != nullptr) {
    shape->quoted = quoted;
  }
  if (p.unit != LatencyUnit::kNone && !token.empty() &&
      !ParseLatency(token, p.unit, &out->latency, rejection)) {
    return false;
  }
  SplitRequest(request, scratch, out, escaped);
  return true;
}

std::string_view FieldName(char spec) {
  switch (spec) {
    case 'x':
      return "date-time";
    case 'd':
      return "date";
    case 't':
      return "time";
    case 'v':
      return "virtual host";
    case 'e':
      return "user";
    case 'C':
      return "cache status";
    case 'h':
      return "client address";
    case 'r':
      return "request";
    case 'm':
      return "method";
    case 'U':
      return "URL path";
    case 'q':
      return "query string";
    case 'H':
      return "protocol";
    case 's':
      return "status";
    case 'b':
      return "body bytes";
    case 'R':
      return "referer";
    case 'u':
      return "user agent";
    case 'K':
      return "TLS version";
    case 'k':
      return "TLS cipher";
    case 'M':
      return "MIME type";
    case 'T':
    case 'D':
    case 'L':
    case 'n':
      return "time served";
    default:
      return "ignored";
  }
}

// "+hhmm" / "-hhmm" into *minutes; false when `text` is not of that shape.
bool ReadHhmmOffset(std::string_view text, int* minutes, bool* in_range) {
  if (text.size() != 5 || (text[0] != '+' && text[0] != '-') || !AllDigits(text.substr(1))) {
    return false;
  }
  const int hh = (text[1] - '0') * 10 + (text[2] - '0');
  const int mm = (text[3] - '0') * 10 + (text[4] - '0');
  *in_range = hh <= 23 && mm <= 59;
  *minutes = *in_range ? (text[0] == '-' ? -1 : 1) * (hh * 60 + mm) : 0;
  return true;
}

bool ParsePattern(const Program& p, std::string_view line, char* scratch, AccessLogRecord* out,
                  LineRejection* rejection) {
  const size_t n = line.size();
  size_t pos = 0;
  LogTime stamp;
  std::string stamp_errors;  // Stays empty (no allocation) for a good stamp.
  size_t stamp_begin = kNpos;
  size_t stamp_end = 0;
  std::string_view request;
  std::string_view method;
  std::string_view path;
  std::string_view query;
  std::string_view protocol;
  for (size_t index = 0; index < p.ops.size(); ++index) {
    const Program::Op& op = p.ops[index];
    if (op.kind == Program::OpKind::kLiteral) {
      if (pos >= n) {
        return Reject(rejection, "missing_field", "line ends at byte ", Num(pos), " before '",
                      std::string_view(&op.c, 1), "'");
      }
      if (line[pos] != op.c) {
        return Reject(rejection, "format_mismatch", "expected ",
                      QuoteForMessage(std::string_view(&op.c, 1)), " at byte ", Num(pos),
                      ", found ", FoundAt(line, pos));
      }
      ++pos;
      continue;
    }
    if (op.kind == Program::OpKind::kSkipSpaces) {
      while (pos < n && line[pos] == ' ') {
        ++pos;
      }
      continue;
    }
    size_t end = n;
    if (op.delim != '\0') {
      end = FindDelimiter(line, pos, op.delim);
      if (end == kNpos) {
        if (op.quoted) {
          return Reject(rejection, "unterminated_quote", "unterminated quote: the ",
                        FieldName(op.c), " opened at byte ", Num(pos - 1), " has no closing '\"'");
        }
        return Reject(rejection, "missing_field", "line ends in the ", FieldName(op.c),
                      " field starting at byte ", Num(pos), " (no ",
                      QuoteForMessage(std::string_view(&op.delim, 1)), " after it)");
      }
    }
    const std::string_view text = line.substr(pos, end - pos);
    const size_t field_pos = pos;
    pos = end;
    switch (op.c) {
      case 'x':
      case 'd':
      case 't': {
        const LogTimeFormat& format = op.c == 'x' ? *p.datetime : (op.c == 'd' ? *p.date : *p.time);
        stamp_begin = std::min(stamp_begin, field_pos);
        stamp_end = std::max(stamp_end, end);
        if (!format.Parse(text, &stamp, &stamp_errors)) {
          return Reject(rejection, "bad_timestamp", "bad timestamp ",
                        QuoteForMessage(line.substr(stamp_begin, stamp_end - stamp_begin)), ": ",
                        stamp_errors);
        }
        break;
      }
      case '^':
        if (op.zone) {
          bool in_range = true;
          if (ReadHhmmOffset(text, &stamp.civil.offset_minutes, &in_range)) {
            stamp_end = std::max(stamp_end, end);
            if (!in_range) {
              if (!stamp_errors.empty()) {
                stamp_errors.append(", ");
              }
              stamp_errors.append("offset ");
              stamp_errors.append(text);
            }
          }
        }
        break;
      case 'v':
        out->vhost = text;
        break;
      case 'r':
        request = text;
        break;
      case 'm':
        method = text;
        break;
      case 'U':
        path = text;
        break;
      case 'q':
        query = text;
        break;
      case 'H':
        protocol = text;
        break;
      case 's':
        if (!ParseStatus(text, &out->status, rejection)) {
          return false;
        }
        break;
      case 'b':
        if (!CheckBodyBytes(text, rejection)) {
          return false;
        }
        break;
      case 'T':
      case 'D':
      case 'L':
      case 'n':
        if (op.latency && !ParseLatency(text, p.unit, &out->latency, rejection)) {
          return false;
        }
        break;
      default:
        break;
    }
    if (index == p.last_time_op) {
      core::Timestamp time;
      // Resolve runs even after a name error, so every bad part is named together.
      const bool resolved = stamp.Resolve(&time, &stamp_errors);
      if (!resolved || !stamp_errors.empty()) {
        return Reject(rejection, "bad_timestamp", "bad timestamp ",
                      QuoteForMessage(line.substr(stamp_begin, stamp_end - stamp_begin)), ": ",
                      stamp_errors);
      }
      out->time = time;
    }
  }
  // Anything after the last field is ignored, as GoAccess does.
  if (p.has_request_line) {
    SplitRequest(request, scratch, out);
    return true;
  }
  if ((p.has_method && !IsToken(method)) || path.empty() || path == "-") {
    out->malformed_request = true;
    return true;
  }
  out->method = method;
  if (!query.empty() && query != "-") {
    size_t len = Unescape(path, scratch);
    scratch[len++] = '?';
    len += Unescape(query, scratch + len);
    out->target = {scratch, len};
  } else {
    out->target = Unescaped(path, scratch);
  }
  if (protocol.substr(0, 5) == "HTTP/") {
    out->protocol = protocol;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Formats.

struct Predefined {
  std::string_view name;
  std::string_view format;
  std::string_view date;
  std::string_view time;
  std::string_view datetime;
};

// GoAccess's predefined formats (allinurl/goaccess src/settings.c), read by the pattern engine.
constexpr std::string_view kApacheDate = "%d/%b/%Y";
constexpr std::string_view kW3cDate = "%Y-%m-%d";
constexpr std::string_view kClock = "%H:%M:%S";
constexpr std::string_view kClfDatetime = "%d/%b/%Y:%H:%M:%S %z";
constexpr std::array<Predefined, 12> kPredefined = {{
    {"COMBINED", R"(%h %^[%d:%t %^] "%r" %s %b "%R" "%u")", kApacheDate, kClock, {}},
    {"VCOMBINED", R"(%v:%^ %h %^[%d:%t %^] "%r" %s %b "%R" "%u")", kApacheDate, kClock, {}},
    {"COMMON", R"(%h %^[%d:%t %^] "%r" %s %b)", kApacheDate, kClock, {}},
    {"VCOMMON", R"(%v:%^ %h %^[%d:%t %^] "%r" %s %b)", kApacheDate, kClock, {}},
    {"W3C", "%d %t %^ %m %U %q %^ %^ %h %u %R %s %^ %^ %L", kW3cDate, kClock, {}},
    {"CLOUDFRONT",
     "%d\\t%t\\t%^\\t%b\\t%h\\t%m\\t%v\\t%U\\t%s\\t%R\\t%u\\t%q\\t%^\\t%C\\t%^\\t%^\\t%^\\t%^\\t%T"
     "\\t%^\\t%K\\t%k\\t%^\\t%H\\t%^",
     kW3cDate,
     kClock,
     {}},
    {"CLOUDSTORAGE", R"("%x","%h",%^,%^,"%m","%U","%s",%^,"%b","%D",%^,"%R","%u")", {}, {}, "%f"},
    {"AWSELB",
     R"(%^ %dT%t.%^ %^ %h:%^ %^ %^ %T %^ %s %^ %^ %b "%r" "%u" %k %K %^ "%^" "%v")",
     kW3cDate,
     kClock,
     {}},
    {"SQUID", "%^ %^ %^ %v %^: %x.%^ %~%L %h %^/%s %b %m %U", {}, {}, "%s"},
    {"AWSS3", R"(%^ %v [%d:%t %^] %h %^"%r" %s %^ %b %^ %L %^ "%R" "%u")", kApacheDate, kClock, {}},
    {"AWSALB",
     R"(%^ %dT%t.%^ %v %h:%^ %^ %^ %T %^ %s %^ %^ %b "%r" "%u" %k %K %^)",
     kW3cDate,
     kClock,
     {}},
    {"TRAEFIKCLF",
     R"(%h - %e [%d:%t %^] "%r" %s %b "%R" "%u" %^ "%v" "%U" %Lms)",
     kApacheDate,
     kClock,
     {}},
}};

constexpr std::string_view kKnownNames =
    "COMBINED, VCOMBINED, COMMON, VCOMMON, W3C, CLOUDFRONT, CLOUDSTORAGE, AWSELB, SQUID, AWSS3, "
    "AWSALB, TRAEFIKCLF";

std::shared_ptr<Program> ClfProgram(bool vhost_prefix, int min_quoted, LatencyUnit unit,
                                    std::string describe) {
  auto p = std::make_shared<Program>();
  p->engine = Program::Engine::kClf;
  p->vhost_prefix = vhost_prefix;
  p->min_quoted = min_quoted;
  p->unit = unit;
  p->describe = std::move(describe);
  return p;
}

LatencyUnit UnitOfSpec(char spec) {
  switch (spec) {
    case 'T':
      return LatencyUnit::kSeconds;
    case 'D':
      return LatencyUnit::kMicros;
    case 'L':
      return LatencyUnit::kMillis;
    case 'n':
      return LatencyUnit::kNanos;
    default:
      return LatencyUnit::kNone;
  }
}

// Compiles a GoAccess format string; `describe` is what Describe() says.
Result<std::shared_ptr<Program>> CompilePattern(std::string_view raw_format,
                                                std::string_view date_format,
                                                std::string_view time_format,
                                                std::string_view datetime_format,
                                                std::string describe) {
  auto error = [&](std::string message) {
    return InvalidArgumentError("log format " + QuoteForMessage(raw_format, 120) + ": " +
                                std::move(message));
  };
  // "\t" (backslash, t) in a format means a tab, as in GoAccess; "\\" is a backslash.
  std::string format;
  for (size_t i = 0; i < raw_format.size(); ++i) {
    if (raw_format[i] == '\\' && i + 1 < raw_format.size() &&
        (raw_format[i + 1] == 't' || raw_format[i + 1] == '\\')) {
      format.push_back(raw_format[i + 1] == 't' ? '\t' : '\\');
      ++i;
    } else {
      format.push_back(raw_format[i]);
    }
  }
  auto p = std::make_shared<Program>();
  p->engine = Program::Engine::kPattern;
  p->describe = std::move(describe);
  constexpr std::string_view kSpecs = "xtdvehCrmUqHsbRuKkMTDLn^";
  for (size_t i = 0; i < format.size(); ++i) {
    Program::Op op;
    const char c = format[i];
    if (c == '%' && i + 1 < format.size()) {
      const char spec = format[++i];
      if (spec == '~') {
        op.kind = Program::OpKind::kSkipSpaces;
      } else if (spec == '%') {
        op.c = '%';
      } else if (kSpecs.find(spec) != kNpos) {
        op.kind = Program::OpKind::kField;
        op.c = spec;
      } else {
        return error("unsupported specifier %" + std::string(1, spec) + " at byte " + Num(i - 1));
      }
    } else if (c == '%') {
      return error("ends with a lone '%'");
    } else if (c == '~' && i + 1 < format.size() && format[i + 1] == 'h') {
      // ~h{, } : the first host of an X-Forwarded-For list; the host is not used, so the
      // field is skipped like %^ up to the literal after the braces.
      op.kind = Program::OpKind::kField;
      op.c = '^';
      ++i;
      if (i + 1 < format.size() && format[i + 1] == '{') {
        const size_t close = format.find('}', i + 1);
        if (close == std::string::npos) {
          return error("'~h{' without a closing '}'");
        }
        i = close;
      }
    } else {
      op.c = c;
    }
    p->ops.push_back(op);
  }
  if (p->ops.empty()) {
    return error("empty format");
  }
  bool has_status = false;
  bool has_path = false;
  for (size_t i = 0; i < p->ops.size(); ++i) {
    Program::Op& op = p->ops[i];
    if (op.kind != Program::OpKind::kField) {
      continue;
    }
    if (i + 1 < p->ops.size()) {
      const Program::Op& next = p->ops[i + 1];
      if (next.kind != Program::OpKind::kLiteral) {
        return error("%" + std::string(1, op.c) +
                     " must be followed by a literal delimiter, not another specifier");
      }
      op.delim = next.c;
    }
    op.quoted = op.delim == '"' && i > 0 && p->ops[i - 1].kind == Program::OpKind::kLiteral &&
                p->ops[i - 1].c == '"';
    switch (op.c) {
      case 's':
        has_status = true;
        break;
      case 'r':
        p->has_request_line = true;
        break;
      case 'U':
        has_path = true;
        break;
      case 'm':
        p->has_method = true;
        break;
      case 'T':
      case 'D':
      case 'L':
      case 'n':
        if (p->unit == LatencyUnit::kNone) {  // The first time-served field wins.
          p->unit = UnitOfSpec(op.c);
          op.latency = true;
        }
        break;
      default:
        break;
    }
  }
  if (!has_status) {
    return error("no %s (status): vigil needs it to count errors");
  }
  if (!p->has_request_line && !has_path) {
    return error("no %r (request line) or %U (URL path)");
  }
  // Timestamp: compile the formats the fields use.
  bool uses_x = false;
  bool uses_d = false;
  bool uses_t = false;
  for (const Program::Op& op : p->ops) {
    if (op.kind == Program::OpKind::kField) {
      uses_x = uses_x || op.c == 'x';
      uses_d = uses_d || op.c == 'd';
      uses_t = uses_t || op.c == 't';
    }
  }
  auto compile = [&](std::string_view text, std::string_view fallback, const char* what,
                     std::optional<LogTimeFormat>* out) -> Status {
    Result<LogTimeFormat> f = LogTimeFormat::Compile(text.empty() ? fallback : text);
    if (!f.ok()) {
      return InvalidArgumentError(std::string(what) + ": " + f.status().message());
    }
    *out = *std::move(f);
    return OkStatus();
  };
  if (uses_x) {
    VIGIL_RETURN_IF_ERROR(compile(datetime_format, kClfDatetime, "datetime format", &p->datetime));
  }
  if (uses_d) {
    VIGIL_RETURN_IF_ERROR(compile(date_format, kApacheDate, "date format", &p->date));
  }
  if (uses_t) {
    VIGIL_RETURN_IF_ERROR(compile(time_format, kClock, "time format", &p->time));
  }
  bool year = false;
  bool month = false;
  bool day = false;
  bool hour = false;
  bool minute = false;
  bool epoch = false;
  bool zone = false;
  for (const std::optional<LogTimeFormat>* f : {&p->datetime, &p->date, &p->time}) {
    if (f->has_value()) {
      year = year || (*f)->sets_year();
      month = month || (*f)->sets_month();
      day = day || (*f)->sets_day();
      hour = hour || (*f)->sets_hour();
      minute = minute || (*f)->sets_minute();
      epoch = epoch || (*f)->sets_epoch();
      zone = zone || (*f)->sets_zone();
    }
  }
  if (!uses_x && !uses_d && !uses_t) {
    return error("no date: needs %x, or %d and %t");
  }
  if (!epoch && !(year && month && day && hour && minute)) {
    return error(
        "its date/time formats give no full timestamp (year, month, day, hour and minute, or "
        "an epoch %s/%f/%*)");
  }
  // `%t %^` / `%x %^` with no zone in the formats: that %^ is the offset when it reads as one.
  for (size_t i = 0; i < p->ops.size(); ++i) {
    Program::Op& op = p->ops[i];
    if (op.kind != Program::OpKind::kField) {
      continue;
    }
    if (op.c == 'x' || op.c == 'd' || op.c == 't') {
      p->last_time_op = std::max(p->last_time_op, i);
    }
    if (op.c == '^' && !zone && !epoch && i >= 2 &&
        p->ops[i - 1].kind == Program::OpKind::kLiteral && p->ops[i - 1].c == ' ' &&
        p->ops[i - 2].kind == Program::OpKind::kField &&
        (p->ops[i - 2].c == 't' || p->ops[i - 2].c == 'x')) {
      op.zone = true;
      p->last_time_op = std::max(p->last_time_op, i);
    }
  }
  return p;
}

std::string LatencySuffix(LatencyUnit unit, char spec) {
  if (unit == LatencyUnit::kNone) {
    return " (no latency)";
  }
  return std::string(" + %") + spec;
}

// ---------------------------------------------------------------------------------------------
// Detect.

bool IsStructural(std::string_view code) {
  return code == "format_mismatch" || code == "missing_field" || code == "unterminated_quote";
}

// `host:port host ident user [` : a vhost:port field before the usual three.
bool LooksVhostPrefixed(std::string_view line) {
  const size_t open = line.find('[');
  if (open == kNpos) {
    return false;
  }
  const std::string_view head = line.substr(0, open);
  size_t tokens = 0;
  size_t i = 0;
  while (i < head.size()) {
    while (i < head.size() && head[i] == ' ') {
      ++i;
    }
    if (i < head.size()) {
      ++tokens;
    }
    while (i < head.size() && head[i] != ' ') {
      ++i;
    }
  }
  const std::string_view first = head.substr(0, head.find(' '));
  const size_t colon = first.rfind(':');
  return tokens == 4 && colon != kNpos && colon > 0 && AllDigits(first.substr(colon + 1));
}

std::string SuggestedFormat(bool vhost, int quoted, bool more_after) {
  std::string f = vhost ? "%v:%^ " : "";
  f.append(R"(%h %^[%d:%t %^] "%r" %s %b)");
  if (quoted >= 2) {
    f.append(R"( "%R" "%u")");
    for (int i = 2; i < quoted; ++i) {
      f.append(R"( "%^")");
    }
  }
  f.append(more_after ? " %T %^" : " %T");
  return f;
}

}  // namespace

AccessLogFormat::AccessLogFormat(std::shared_ptr<const Program> program)
    : program_(std::move(program)) {}

Result<AccessLogFormat> AccessLogFormat::Create(std::string_view spec, std::string_view date_format,
                                                std::string_view time_format,
                                                std::string_view datetime_format) {
  if (spec.empty()) {
    return InvalidArgumentError(
        "empty log format (expected auto, nginx, apache, a GoAccess name or a format string)");
  }
  if (EqualsIgnoreCase(spec, "auto")) {
    return InvalidArgumentError(
        "log format 'auto' is decided from each file's first lines (Detect), not created");
  }
  if (EqualsIgnoreCase(spec, "nginx")) {
    return AccessLogFormat(
        ClfProgram(false, 2, LatencyUnit::kSeconds, "nginx combined + $request_time (optional)"));
  }
  if (EqualsIgnoreCase(spec, "apache")) {
    return AccessLogFormat(
        ClfProgram(false, 0, LatencyUnit::kMicros, "apache common/combined + %D (optional)"));
  }
  if (EqualsIgnoreCase(spec, "CADDY")) {
    return InvalidArgumentError(
        "log format CADDY is JSON; the access-log parser reads text lines (import Caddy logs "
        "as NDJSON request events)");
  }
  for (const Predefined& p : kPredefined) {
    if (!EqualsIgnoreCase(spec, p.name)) {
      continue;
    }
    Result<std::shared_ptr<Program>> program =
        CompilePattern(p.format, date_format.empty() ? p.date : date_format,
                       time_format.empty() ? p.time : time_format,
                       datetime_format.empty() ? p.datetime : datetime_format, std::string(p.name));
    if (!program.ok()) {
      return program.status();
    }
    Program& compiled = **program;
    char spec_letter = '?';
    for (const Program::Op& op : compiled.ops) {
      if (op.latency) {
        spec_letter = op.c;
      }
    }
    compiled.describe += LatencySuffix(compiled.unit, spec_letter);
    return AccessLogFormat(*std::move(program));
  }
  if (spec.find('%') == kNpos) {
    return InvalidArgumentError("unknown log format " + QuoteForMessage(spec) +
                                " (expected auto, nginx, apache, one of " +
                                std::string(kKnownNames) + ", or a format string with % fields)");
  }
  std::string describe = "format " + std::string(spec);
  Result<std::shared_ptr<Program>> program =
      CompilePattern(spec, date_format, time_format, datetime_format, "");
  if (!program.ok()) {
    return program.status();
  }
  Program& compiled = **program;
  std::string parts;
  auto add = [&parts](std::string_view what, const std::optional<LogTimeFormat>& f) {
    if (f.has_value()) {
      parts.append(parts.empty() ? " (" : ", ");
      parts.append(what);
      parts.append(" ");
      parts.append(f->pattern());
    }
  };
  add("date", compiled.date);
  add("time", compiled.time);
  add("datetime", compiled.datetime);
  if (!parts.empty()) {
    parts.append(")");
  }
  compiled.describe = describe + parts;
  return AccessLogFormat(*std::move(program));
}

// Detect's rules, over at most 100 non-empty lines (lines starting with '#' skipped):
//  1. Layout: the combined/common family, `host ident user [time] "request" status bytes`,
//     with a `vhost:port` field first when every line has four fields before the '['.
//     A line rejected for its layout (format_mismatch, missing_field, unterminated_quote)
//     means no format fits; lines rejected for a bad timestamp or status are tolerated, but
//     at least one line must parse.
//  2. Quoted fields after the body bytes: none on some line → common (referer and user agent
//     optional); else combined (2), or combined + extra fields (nginx `main`: 3).
//  3. The first unquoted field after those, over all lines:
//     - absent everywhere → no latency ("COMBINED (no latency)");
//     - some value with a '.' → decimal seconds, nginx $request_time (Apache never writes one);
//     - only integers (and '-'): Apache %D (µs) or %T (whole seconds). Decided only with at
//       least 10 integers: median >= 1000 → %D (as seconds the typical request would take
//       over 16 minutes); median == 0 → %T (as µs half the requests would take 0 µs);
//       otherwise ambiguous → kInvalidArgument naming the --log-format to pass;
//     - only '-' → ambiguous as well (no value tells the unit);
//     - anything else → kInvalidArgument: not a latency field.
Result<AccessLogFormat> AccessLogFormat::Detect(std::span<const std::string_view> sample_lines) {
  struct Sample {
    size_t number;  // 1-based, counting every element of sample_lines.
    std::string_view line;
  };
  std::vector<Sample> samples;
  for (size_t i = 0; i < sample_lines.size() && samples.size() < kMaxDetectLines; ++i) {
    std::string_view line = sample_lines[i];
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (!line.empty() && line.front() != '#') {
      samples.push_back(Sample{i + 1, line});
    }
  }
  if (samples.empty()) {
    return InvalidArgumentError("no access-log lines to detect the format from");
  }
  bool vhost = true;
  for (const Sample& s : samples) {
    vhost = vhost && LooksVhostPrefixed(s.line);
  }
  const std::shared_ptr<const Program> probe = ClfProgram(vhost, 0, LatencyUnit::kNone, "");
  std::string scratch(kMaxAccessLogLineBytes, '\0');
  AccessLogRecord record;
  LineRejection rejection;
  struct Tail {
    size_t number;
    int quoted;
    std::string_view token;
    bool more_after;
  };
  std::vector<Tail> tails;
  std::optional<std::pair<size_t, std::string>> first_rejection;
  for (const Sample& s : samples) {
    ClfShape shape;
    record = AccessLogRecord{};
    if (s.line.size() > kMaxAccessLogLineBytes) {
      continue;
    }
    if (!ParseClf(*probe, s.line, scratch.data(), &record, &rejection, &shape)) {
      if (IsStructural(rejection.code)) {
        return InvalidArgumentError(
            "no access-log format fits line " + Num(s.number) + ": " + rejection.reason +
            " (auto knows the combined/common family; pass --log-format with a GoAccess name "
            "or format string)");
      }
      if (!first_rejection.has_value()) {
        first_rejection = std::make_pair(s.number, rejection.reason);
      }
      continue;
    }
    tails.push_back(Tail{s.number, shape.quoted, shape.tail_token, shape.more_after_tail});
  }
  if (tails.empty()) {
    return InvalidArgumentError(
        "no access-log format fits: every sampled line was rejected; line " +
        Num(first_rejection->first) + ": " + first_rejection->second);
  }
  int min_quoted = std::numeric_limits<int>::max();
  for (const Tail& t : tails) {
    min_quoted = std::min(min_quoted, t.quoted);
  }
  const bool combined = min_quoted >= 2;
  const std::string family = combined ? "combined" : "common";
  // Classify the trailing tokens.
  bool any_decimal = false;
  bool more_after_all = true;
  size_t dashes = 0;
  std::vector<int64_t> integers;
  const Tail* first_integer = nullptr;
  for (const Tail& t : tails) {
    if (t.token.empty()) {
      continue;
    }
    more_after_all = more_after_all && t.more_after;
    const size_t dot = t.token.find('.');
    if (t.token == "-") {
      ++dashes;
    } else if (AllDigits(t.token) && t.token.size() <= 18) {
      int64_t value = 0;
      for (char c : t.token) {
        value = value * 10 + (c - '0');
      }
      integers.push_back(value);
      if (first_integer == nullptr) {
        first_integer = &t;
      }
    } else if (dot != kNpos && dot > 0 && AllDigits(t.token.substr(0, dot)) &&
               AllDigits(t.token.substr(dot + 1))) {
      any_decimal = true;
    } else {
      return InvalidArgumentError(
          "line " + Num(t.number) + ": the field " + QuoteForMessage(t.token) + " after the " +
          family +
          " fields is not a latency (decimal seconds or integer microseconds); pass "
          "--log-format " +
          (combined ? "COMBINED" : "COMMON") +
          " to ignore it, or a format string that names it (access-logs.md §3)");
    }
  }
  const std::string vhost_words = vhost ? "vhost:port + " : "";
  if (any_decimal) {
    std::string describe = "nginx " + vhost_words;
    if (min_quoted == 3) {
      describe += "main";
    } else if (min_quoted > 3) {
      describe += "combined + " + Num(static_cast<uint64_t>(min_quoted - 2)) + " quoted fields";
    } else {
      describe += family;
    }
    return AccessLogFormat(
        ClfProgram(vhost, combined ? 2 : 0, LatencyUnit::kSeconds, describe + " + $request_time"));
  }
  if (integers.empty() && dashes == 0) {
    std::string name = std::string(vhost ? "V" : "") + (combined ? "COMBINED" : "COMMON");
    return AccessLogFormat(
        ClfProgram(vhost, combined ? 2 : 0, LatencyUnit::kNone, name + " (no latency)"));
  }
  const std::string suggestion = SuggestedFormat(vhost, min_quoted, more_after_all);
  const std::string how =
      "; pass --log-format apache if it is %D (microseconds), or "
      "--log-format '" +
      suggestion + "' if it is whole seconds";
  if (integers.empty()) {
    return InvalidArgumentError("ambiguous latency field: the field after the " + family +
                                " fields is '-' on every sampled line, so its unit cannot be told" +
                                how);
  }
  std::vector<int64_t> sorted = integers;
  std::sort(sorted.begin(), sorted.end());
  const int64_t median = sorted[sorted.size() / 2];
  if (integers.size() >= kMinIntegerLatencySamples && median >= 1000) {
    return AccessLogFormat(ClfProgram(vhost, combined ? 2 : 0, LatencyUnit::kMicros,
                                      "apache " + vhost_words + family + " + %D"));
  }
  if (integers.size() >= kMinIntegerLatencySamples && median == 0) {
    return AccessLogFormat(ClfProgram(vhost, combined ? 2 : 0, LatencyUnit::kWholeSeconds,
                                      "apache " + vhost_words + family + " + %T"));
  }
  return InvalidArgumentError(
      "ambiguous latency field: integers after the " + family + " fields (e.g. " +
      QuoteForMessage(first_integer->token) + " on line " + Num(first_integer->number) +
      ") may be Apache %D microseconds or %T whole seconds (" + Num(integers.size()) +
      (integers.size() == 1 ? " value" : " values") + ", median " + std::to_string(median) +
      "; auto decides only from " + Num(kMinIntegerLatencySamples) +
      "+ values with median >= 1000 or == 0)" + how);
}

std::string AccessLogFormat::Describe() const {
  return program_->describe;
}

LatencyUnit AccessLogFormat::latency_unit() const {
  return program_->unit;
}

bool AccessLogFormat::Parse(std::string_view line, AccessLogRecord* out, LineRejection* rejection) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  if (line.size() > kMaxAccessLogLineBytes) {
    return Reject(rejection, "line_too_long", "line of ", Num(line.size()),
                  " bytes exceeds the limit of ", Num(kMaxAccessLogLineBytes), " bytes");
  }
  if (line.empty()) {
    return Reject(rejection, "empty_line", "empty line");
  }
  if (line.front() == '#') {
    return Reject(rejection, "comment", "comment line ", QuoteForMessage(line, 24));
  }
  if (scratch_.size() < kMaxAccessLogLineBytes) {
    scratch_.resize(kMaxAccessLogLineBytes);
  }
  *out = AccessLogRecord{};
  if (program_->engine == Program::Engine::kClf) {
    return ParseClf(*program_, line, scratch_.data(), out, rejection, nullptr, &minute_cache_,
                    &quotes_);
  }
  return ParsePattern(*program_, line, scratch_.data(), out, rejection);
}

}  // namespace vigil::ingest
