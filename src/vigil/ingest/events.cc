#include "vigil/ingest/events.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "vigil/core/text.h"
#include "vigil/core/time.h"
#include "vigil/ingest/routes.h"
#include "vigil/sketch/sketch.h"

namespace vigil::ingest {
namespace {

constexpr size_t kNpos = std::string_view::npos;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The schema's fields, in the order they are checked (docs/inputs.md).
enum Field : int {
  kTimestamp,
  kService,
  kEnvironment,
  kVersion,
  kMethod,
  kRoute,
  kPath,
  kStatus,
  kDurationMs,
  kDurationUs,
  kFieldCount,
};
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "timestamp", "service", "environment", "version",     "method",
    "route",     "path",    "status",      "duration_ms", "duration_us"};

// Epoch milliseconds accepted as a timestamp: from 1973-03-03T09:46:40Z (smaller integers are
// almost surely epoch seconds) to 9999-12-31T23:59:59.999Z (larger ones are µs or ns).
constexpr int64_t kMinEpochMs = 100'000'000'000;
constexpr int64_t kMaxEpochMs = 253'402'300'799'999;
constexpr size_t kMaxMethodBytes = 32;
constexpr size_t kMaxQuotedBytes = 64;

using core::AllDigits;
using core::IsDigit;
constexpr char LowerAscii(char c) {
  return core::AsciiLower(c);
}

bool IsBlank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsBlank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsBlankLine(std::string_view s) {
  return Trim(s).empty();
}

// Drops a trailing '\r' (CRLF files) and a leading UTF-8 BOM.
std::string_view CleanLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  if (line.starts_with(kBom)) {
    line.remove_prefix(kBom.size());
  }
  return line;
}

// `s` in single quotes for a reason: printable ASCII as is, other bytes (and ' and \) as \xHH,
// cut after kMaxQuotedBytes input bytes with "...".
std::string Quote(std::string_view s) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(std::min(s.size(), kMaxQuotedBytes) + 8);
  out.push_back('\'');
  for (size_t i = 0; i < s.size() && i < kMaxQuotedBytes; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  if (s.size() > kMaxQuotedBytes) {
    out.append("...");
  }
  out.push_back('\'');
  return out;
}

std::string Num(int64_t n) {
  return std::to_string(n);
}

template <typename... Parts>
RequestParser::Outcome Reject(LineIssue* issue, std::string_view code, const Parts&... parts) {
  issue->code = code;
  issue->reason.clear();
  (issue->reason.append(parts), ...);
  return RequestParser::Outcome::kReject;
}

// One field's value as a line gave it.
struct Value {
  enum class Kind {
    kAbsent,  // not there, JSON null, or empty text
    kText,    // a CSV field or a JSON string
    kNumber,  // a JSON number; text is its decimal form
    kOther,   // a JSON boolean, array or object; text describes it
  };
  Kind kind = Kind::kAbsent;
  std::string_view text;
};

Value Text(std::string_view text) {
  return text.empty() ? Value{} : Value{Value::Kind::kText, text};
}

// The value as a reason shows it: text quoted, numbers and JSON literals as they are.
std::string Show(const Value& v) {
  return v.kind == Value::Kind::kText ? Quote(v.text) : std::string(v.text);
}

// ---- Exact decimals ---------------------------------------------------------------------

enum class DecimalError { kNone, kSyntax, kNegative, kTooLarge };

// Reads `text`, a decimal number `-?digits(.digits)?([eE][+-]?digits)?`, and gives its value
// times 10^scale rounded half up into *value, with *exact false when rounding changed it.
// No floating point: "42.0005" at scale 3 is 42000.5 → 42001. Negative values (but not
// zero, "-0") are kNegative; values above `max` are kTooLarge.
DecimalError ParseScaled(std::string_view text, int scale, int64_t max, int64_t* value,
                         bool* exact) {
  const size_t n = text.size();
  size_t i = 0;
  bool negative = false;
  if (i < n && text[i] == '-') {
    negative = true;
    ++i;
  }
  const size_t int_begin = i;
  while (i < n && IsDigit(text[i])) {
    ++i;
  }
  const size_t int_len = i - int_begin;
  if (int_len == 0) {
    return DecimalError::kSyntax;
  }
  size_t frac_begin = i;
  size_t frac_len = 0;
  if (i < n && text[i] == '.') {
    ++i;
    frac_begin = i;
    while (i < n && IsDigit(text[i])) {
      ++i;
    }
    frac_len = i - frac_begin;
    if (frac_len == 0) {
      return DecimalError::kSyntax;
    }
  }
  int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    const size_t exp_begin = i;
    while (i < n && IsDigit(text[i])) {
      if (exponent < 1'000'000'000) {  // Clamped: anything this large overflows or is 0.
        exponent = exponent * 10 + (text[i] - '0');
      }
      ++i;
    }
    if (i == exp_begin) {
      return DecimalError::kSyntax;
    }
    if (exp_negative) {
      exponent = -exponent;
    }
  }
  if (i != n) {
    return DecimalError::kSyntax;
  }

  // The significant digits, integer then fraction, as one sequence.
  const size_t len = int_len + frac_len;
  auto digit = [&](size_t k) {
    return text[k < int_len ? int_begin + k : frac_begin + (k - int_len)] - '0';
  };
  size_t first = 0;  // The first non-zero digit.
  while (first < len && digit(first) == 0) {
    ++first;
  }
  if (first == len) {  // Zero, whatever the sign and exponent.
    *value = 0;
    *exact = true;
    return DecimalError::kNone;
  }
  if (negative) {
    return DecimalError::kNegative;
  }
  // How many digits from `first` on stand before the (scaled) decimal point.
  const int64_t whole =
      static_cast<int64_t>(int_len) + exponent + scale - static_cast<int64_t>(first);
  if (whole > 19) {
    return DecimalError::kTooLarge;
  }
  const auto sig = static_cast<int64_t>(len - first);
  int64_t v = 0;
  for (int64_t k = 0; k < whole; ++k) {
    const int d = k < sig ? digit(first + static_cast<size_t>(k)) : 0;
    if (v > (max - d) / 10) {
      return DecimalError::kTooLarge;
    }
    v = v * 10 + d;
  }
  bool is_exact = true;
  bool round_up = false;
  if (whole < 0) {
    is_exact = false;  // A non-zero value below 0.1 rounds to 0.
  } else {
    for (int64_t k = whole; k < sig; ++k) {
      const int d = digit(first + static_cast<size_t>(k));
      if (k == whole && d >= 5) {
        round_up = true;
      }
      if (d != 0) {
        is_exact = false;
      }
    }
  }
  if (round_up) {
    if (v >= max) {
      return DecimalError::kTooLarge;
    }
    ++v;
  }
  *value = v;
  *exact = is_exact;
  return DecimalError::kNone;
}

// ---- Field checks shared by both formats ------------------------------------------------

// What a JSON boolean, array or object is called in a reason.
constexpr std::string_view kNotAString = "must be a string, got ";

// Turns the values of one event into *out. Holds the upper-cased method between calls.
class EventAssembler {
 public:
  RequestParser::Outcome Assemble(const std::array<Value, kFieldCount>& v, Request* out,
                                  LineIssue* issue);

 private:
  static RequestParser::Outcome CheckTimestamp(const Value& v, core::Timestamp* out,
                                               LineIssue* issue);
  RequestParser::Outcome CheckMethod(const Value& v, LineIssue* issue);
  static RequestParser::Outcome CheckStatus(const Value& v, int* out, LineIssue* issue);
  static RequestParser::Outcome CheckDuration(Field field, const Value& v, int64_t* us,
                                              LineIssue* issue);

  std::string method_;
};

RequestParser::Outcome EventAssembler::Assemble(const std::array<Value, kFieldCount>& v,
                                                Request* out, LineIssue* issue) {
  auto present = [&v](Field f) { return v[f].kind != Value::Kind::kAbsent; };

  // Required fields, all the missing ones named at once.
  std::string missing;
  int missing_count = 0;
  auto need = [&](bool ok, std::string_view what) {
    if (!ok) {
      if (missing_count > 0) {
        missing.append(", ");
      }
      missing.append(what);
      ++missing_count;
    }
  };
  need(present(kTimestamp), "'timestamp'");
  need(present(kMethod), "'method'");
  need(present(kRoute) || present(kPath), "'route' or 'path'");
  need(present(kStatus), "'status'");
  if (missing_count > 0) {
    return Reject(issue, "missing_field",
                  missing_count == 1 ? "missing required field " : "missing required fields ",
                  missing);
  }
  if (present(kDurationMs) && present(kDurationUs)) {
    return Reject(issue, "conflicting_fields",
                  "both 'duration_ms' and 'duration_us' given (use one): duration_ms ",
                  Show(v[kDurationMs]), ", duration_us ", Show(v[kDurationUs]));
  }

  core::Timestamp time;
  if (CheckTimestamp(v[kTimestamp], &time, issue) == RequestParser::Outcome::kReject) {
    return RequestParser::Outcome::kReject;
  }
  for (Field f : {kService, kEnvironment, kVersion}) {
    if (present(f) && v[f].kind != Value::Kind::kText) {
      return Reject(issue, "wrong_type", "'", kFieldNames[f], "' ", kNotAString, Show(v[f]));
    }
  }
  if (CheckMethod(v[kMethod], issue) == RequestParser::Outcome::kReject) {
    return RequestParser::Outcome::kReject;
  }
  if (present(kRoute)) {
    const Value& r = v[kRoute];
    if (r.kind != Value::Kind::kText) {
      return Reject(issue, "bad_route", "'route' ", kNotAString, Show(r));
    }
    if (r.text.front() != '/') {
      return Reject(issue, "bad_route", "bad route ", Quote(r.text),
                    ": a route template starts with '/'");
    }
  }
  if (present(kPath)) {
    const Value& p = v[kPath];
    if (p.kind != Value::Kind::kText) {
      return Reject(issue, "bad_path", "'path' ", kNotAString, Show(p));
    }
    if (p.text.front() != '/' && !p.text.starts_with("http://") &&
        !p.text.starts_with("https://")) {
      return Reject(issue, "bad_path", "bad path ", Quote(p.text),
                    ": a path starts with '/' (or is an absolute http(s) URL)");
    }
  }
  int status = 0;
  if (CheckStatus(v[kStatus], &status, issue) == RequestParser::Outcome::kReject) {
    return RequestParser::Outcome::kReject;
  }
  std::optional<core::LatencyUs> latency;
  for (Field f : {kDurationMs, kDurationUs}) {
    if (present(f)) {
      int64_t us = 0;
      if (CheckDuration(f, v[f], &us, issue) == RequestParser::Outcome::kReject) {
        return RequestParser::Outcome::kReject;
      }
      latency = core::LatencyUs::FromMicros(us);
    }
  }

  *out = Request{};
  out->time = time;
  out->service = v[kService].text;
  out->environment = v[kEnvironment].text;
  out->version = v[kVersion].text;
  out->method = method_;
  out->target = v[kPath].text;
  out->route = v[kRoute].text;
  out->status = status;
  out->latency = latency;
  issue->code = {};
  issue->reason.clear();
  return RequestParser::Outcome::kRequest;
}

RequestParser::Outcome EventAssembler::CheckTimestamp(const Value& v, core::Timestamp* out,
                                                      LineIssue* issue) {
  const bool epoch =
      v.kind == Value::Kind::kNumber || (v.kind == Value::Kind::kText && AllDigits(v.text));
  if (v.kind == Value::Kind::kText && !epoch) {
    Result<core::Timestamp> t = core::ParseRfc3339(v.text);
    if (!t.ok()) {
      return Reject(issue, "bad_timestamp", "bad timestamp ", Quote(v.text), ": ",
                    t.status().message());
    }
    *out = *t;
    return RequestParser::Outcome::kRequest;
  }
  if (!epoch) {
    return Reject(issue, "bad_timestamp", "bad timestamp ", Show(v),
                  ": expected an RFC 3339 string or integer epoch milliseconds");
  }
  int64_t ms = 0;
  bool exact = true;
  switch (ParseScaled(v.text, 0, kMaxEpochMs, &ms, &exact)) {
    case DecimalError::kNone:
      break;
    case DecimalError::kSyntax:  // Not reached: JSON numbers and digit strings are decimals.
      return Reject(issue, "bad_timestamp", "bad timestamp ", Show(v),
                    ": expected an RFC 3339 string or integer epoch milliseconds");
    case DecimalError::kNegative:
      return Reject(issue, "bad_timestamp", "bad timestamp ", Show(v),
                    ": negative epoch milliseconds");
    case DecimalError::kTooLarge:
      return Reject(issue, "bad_timestamp", "bad timestamp ", Show(v),
                    ": epoch milliseconds after 9999-12-31 (is it in microseconds or "
                    "nanoseconds?)");
  }
  if (!exact) {
    return Reject(issue, "bad_timestamp", "bad timestamp ", Show(v),
                  ": epoch milliseconds must be an integer");
  }
  if (ms < kMinEpochMs) {
    return Reject(issue, "bad_timestamp", "bad timestamp ", Show(v),
                  ": epoch milliseconds before 1973-03-03 (is it in seconds?)");
  }
  *out = core::Timestamp::FromUnixMillis(ms);
  return RequestParser::Outcome::kRequest;
}

RequestParser::Outcome EventAssembler::CheckMethod(const Value& v, LineIssue* issue) {
  if (v.kind != Value::Kind::kText) {
    return Reject(issue, "bad_method", "'method' ", kNotAString, Show(v));
  }
  if (v.text.size() > kMaxMethodBytes) {
    return Reject(issue, "bad_method", "bad method ", Quote(v.text), ": longer than ",
                  Num(kMaxMethodBytes), " bytes");
  }
  if (!IsMethodToken(v.text)) {
    return Reject(issue, "bad_method", "bad method ", Quote(v.text), ": not an HTTP method token");
  }
  method_.assign(v.text);
  for (char& c : method_) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return RequestParser::Outcome::kRequest;
}

RequestParser::Outcome EventAssembler::CheckStatus(const Value& v, int* out, LineIssue* issue) {
  constexpr std::string_view kExpected = ": expected an integer 100..599";
  int64_t status = 0;
  bool exact = true;
  if (v.kind == Value::Kind::kText) {
    if (v.text.size() != 3 || !AllDigits(v.text)) {
      return Reject(issue, "bad_status", "bad status ", Show(v), kExpected);
    }
    status = (v.text[0] - '0') * 100 + (v.text[1] - '0') * 10 + (v.text[2] - '0');
  } else if (v.kind != Value::Kind::kNumber ||
             ParseScaled(v.text, 0, 999, &status, &exact) != DecimalError::kNone || !exact) {
    return Reject(issue, "bad_status", "bad status ", Show(v), kExpected);
  }
  if (status < 100 || status > 599) {
    return Reject(issue, "bad_status", "bad status ", Show(v), ": outside 100..599");
  }
  *out = static_cast<int>(status);
  return RequestParser::Outcome::kRequest;
}

RequestParser::Outcome EventAssembler::CheckDuration(Field field, const Value& v, int64_t* us,
                                                     LineIssue* issue) {
  const bool millis = field == kDurationMs;
  const std::string_view name = kFieldNames[field];
  if (v.kind != Value::Kind::kText && v.kind != Value::Kind::kNumber) {
    return Reject(issue, "bad_duration", "bad ", name, " ", Show(v), ": expected a number");
  }
  bool exact = true;
  switch (ParseScaled(v.text, millis ? 3 : 0, sketch::kMaxValueUs, us, &exact)) {
    case DecimalError::kNone:
      break;
    case DecimalError::kSyntax:
      return Reject(issue, "bad_duration", "bad ", name, " ", Show(v),
                    millis ? ": expected a decimal number of milliseconds"
                           : ": expected an integer number of microseconds");
    case DecimalError::kNegative:
      return Reject(issue, "bad_duration", "bad ", name, " ", Show(v), ": negative");
    case DecimalError::kTooLarge:
      return Reject(issue, "bad_duration", "bad ", name, " ", Show(v),
                    ": larger than 10000000000000 us (~116 days)");
  }
  if (!millis && !exact) {
    return Reject(issue, "bad_duration", "bad ", name, " ", Show(v),
                  ": expected an integer number of microseconds");
  }
  return RequestParser::Outcome::kRequest;
}

// The field a key names, or -1. `fold`: ASCII case-insensitive (CSV headers).
int FieldIndex(std::string_view key, bool fold) {
  for (int f = 0; f < kFieldCount; ++f) {
    const std::string_view name = kFieldNames[f];
    if (key.size() != name.size()) {
      continue;
    }
    bool same = true;
    for (size_t i = 0; i < key.size() && same; ++i) {
      same = (fold ? LowerAscii(key[i]) : key[i]) == name[i];
    }
    if (same) {
      return f;
    }
  }
  return -1;
}

// ---- NDJSON -----------------------------------------------------------------------------

class NdjsonEventParser final : public RequestParser {
 public:
  Outcome Parse(std::string_view line, Request* out, LineIssue* issue) override;
  std::string Describe() const override { return "request events (NDJSON)"; }

 private:
  // Where a JSON number's decimal form is written, one per field.
  static constexpr size_t kNumberBytes = 48;

  simdjson::dom::parser parser_;
  std::string padded_;  // The line, then at least SIMDJSON_PADDING spare bytes.
  std::array<std::array<char, kNumberBytes>, kFieldCount> numbers_{};
  EventAssembler assembler_;
};

std::string_view JsonTypeName(simdjson::dom::element_type type) {
  switch (type) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

// A JSON value as a Value; a number's decimal form is written into `buf`: integers exactly,
// doubles in the shortest form that reads back as the same double, which is the decimal as
// written for up to 15 significant digits ("42.0005", "1e+300") and is read exactly later.
template <size_t N>
Value JsonValue(simdjson::dom::element e, std::array<char, N>& buf) {
  std::string_view s;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::to_chars_result written{};
  if (e.get(s) == simdjson::SUCCESS) {
    return Text(s);
  }
  if (e.is_null()) {
    return Value{};
  }
  if (e.get(b) == simdjson::SUCCESS) {
    return Value{Value::Kind::kOther, b ? "true" : "false"};
  }
  if (e.get(i) == simdjson::SUCCESS) {
    written = std::to_chars(buf.data(), buf.data() + N, i);
  } else if (e.get(u) == simdjson::SUCCESS) {
    written = std::to_chars(buf.data(), buf.data() + N, u);
  } else if (e.get(d) == simdjson::SUCCESS) {
    written = std::to_chars(buf.data(), buf.data() + N, d);
  } else {
    return Value{Value::Kind::kOther, e.is_array() ? "[...]" : "{...}"};
  }
  // N holds any int64, uint64 or double, so to_chars cannot fail.
  return Value{Value::Kind::kNumber,
               std::string_view(buf.data(), static_cast<size_t>(written.ptr - buf.data()))};
}

RequestParser::Outcome NdjsonEventParser::Parse(std::string_view line, Request* out,
                                                LineIssue* issue) {
  line = CleanLine(line);
  if (IsBlankLine(line)) {
    return Outcome::kSkip;
  }
  if (padded_.size() < line.size() + simdjson::SIMDJSON_PADDING) {
    padded_.resize(line.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(padded_.data(), line.data(), line.size());
  simdjson::dom::element doc;
  if (const simdjson::error_code err =
          parser_.parse(padded_.data(), line.size(), /*realloc_if_needed=*/false).get(doc);
      err != simdjson::SUCCESS) {
    return Reject(issue, "bad_json", "bad JSON: ", simdjson::error_message(err));
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    return Reject(issue, "bad_json", "expected a JSON object per line, got ",
                  JsonTypeName(doc.type()));
  }

  std::array<Value, kFieldCount> values;
  std::array<bool, kFieldCount> seen{};
  for (simdjson::dom::key_value_pair field : object) {
    const int f = FieldIndex(field.key, /*fold=*/false);
    if (f < 0) {
      continue;  // Real exports carry extra fields.
    }
    if (seen[f]) {
      return Reject(issue, "duplicate_field", "field '", kFieldNames[f], "' given twice");
    }
    seen[f] = true;
    Value& v = values[f];
    v = JsonValue(field.value, numbers_[f]);
  }
  return assembler_.Assemble(values, out, issue);
}

// ---- CSV --------------------------------------------------------------------------------

class CsvEventParser final : public RequestParser {
 public:
  CsvEventParser() { column_of_.fill(-1); }
  Outcome Parse(std::string_view line, Request* out, LineIssue* issue) override;
  std::string Describe() const override { return "request events (CSV)"; }

 private:
  enum class HeaderState { kNone, kOk, kBad };

  Outcome ParseHeader(std::string_view line, LineIssue* issue);
  // Splits `line` into fields_ (RFC 4180; "" inside quotes is a quote); false and *issue set
  // on broken quoting.
  bool Split(std::string_view line, LineIssue* issue);

  HeaderState header_state_ = HeaderState::kNone;
  // The header as seen (BOM and '\r' dropped): a repeat of a good one is skipped, a repeat of
  // a rejected one is rejected again for the same reason.
  std::string header_line_;
  std::string_view header_code_;  // Why the header was rejected: a static code, and
  std::string header_reason_;     // the reason.
  size_t header_fields_ = 0;
  std::array<int, kFieldCount> column_of_{};  // -1: no such column
  std::vector<std::string_view> fields_;
  std::vector<char> quoted_;  // Per field: was it quoted.
  std::string unescaped_;     // Quoted fields with "" escapes; never reallocated mid-line.
  EventAssembler assembler_;
};

bool CsvEventParser::Split(std::string_view line, LineIssue* issue) {
  fields_.clear();
  quoted_.clear();
  unescaped_.clear();
  unescaped_.reserve(line.size());  // Views into it stay valid while it fills.
  const size_t n = line.size();
  size_t i = 0;
  for (;;) {
    std::string_view field;
    const bool quoted = i < n && line[i] == '"';
    if (quoted) {
      const size_t begin = i + 1;
      size_t j = begin;
      size_t end = kNpos;
      bool escapes = false;
      while (end == kNpos) {
        const size_t q = line.find('"', j);
        if (q == kNpos) {
          Reject(issue, "unterminated_quote", "field ",
                 Num(static_cast<int64_t>(fields_.size()) + 1), ": the quote at byte ",
                 Num(static_cast<int64_t>(i)),
                 " is not closed on this line (an event cannot span lines)");
          return false;
        }
        if (q + 1 < n && line[q + 1] == '"') {
          escapes = true;
          j = q + 2;
        } else {
          end = q;
        }
      }
      field = line.substr(begin, end - begin);
      if (escapes) {
        const size_t at = unescaped_.size();
        for (size_t k = 0; k < field.size(); ++k) {
          unescaped_.push_back(field[k]);
          if (field[k] == '"') {
            ++k;  // The second quote of "".
          }
        }
        field = std::string_view(unescaped_.data() + at, unescaped_.size() - at);
      }
      i = end + 1;
      if (i < n && line[i] != ',') {
        Reject(issue, "bad_quote", "field ", Num(static_cast<int64_t>(fields_.size()) + 1),
               ": unexpected ", Quote(line.substr(i, 1)), " at byte ", Num(static_cast<int64_t>(i)),
               " after a closing quote (write \"\" for a quote inside quotes)");
        return false;
      }
    } else {
      size_t comma = line.find(',', i);
      if (comma == kNpos) {
        comma = n;
      }
      field = line.substr(i, comma - i);
      i = comma;
    }
    fields_.push_back(field);
    quoted_.push_back(quoted ? 1 : 0);
    if (i >= n) {
      return true;
    }
    ++i;  // The comma.
  }
}

RequestParser::Outcome CsvEventParser::ParseHeader(std::string_view line, LineIssue* issue) {
  header_state_ = HeaderState::kBad;
  header_line_.assign(line);
  if (!Split(line, issue)) {
    header_code_ = issue->code;
    header_reason_ = issue->reason;
    return Outcome::kReject;
  }
  for (size_t k = 0; k < fields_.size(); ++k) {
    const int f = FieldIndex(Trim(fields_[k]), /*fold=*/true);
    if (f < 0) {
      continue;  // Unknown columns are ignored.
    }
    if (column_of_[f] >= 0) {
      Reject(issue, "duplicate_column", "column '", kFieldNames[f],
             "' appears twice in the header");
      header_code_ = issue->code;
      header_reason_ = issue->reason;
      return Outcome::kReject;
    }
    column_of_[f] = static_cast<int>(k);
  }
  std::string missing;
  int missing_count = 0;
  auto need = [&](bool ok, std::string_view what) {
    if (!ok) {
      if (missing_count > 0) {
        missing.append(", ");
      }
      missing.append(what);
      ++missing_count;
    }
  };
  need(column_of_[kTimestamp] >= 0, "'timestamp'");
  need(column_of_[kMethod] >= 0, "'method'");
  need(column_of_[kRoute] >= 0 || column_of_[kPath] >= 0, "'route' or 'path'");
  need(column_of_[kStatus] >= 0, "'status'");
  if (missing_count > 0) {
    Reject(issue, "missing_column",
           missing_count == 1 ? "the header lacks required column "
                              : "the header lacks required columns ",
           missing);
    header_code_ = issue->code;
    header_reason_ = issue->reason;
    return Outcome::kReject;
  }
  header_state_ = HeaderState::kOk;
  header_fields_ = fields_.size();
  return Outcome::kSkip;
}

RequestParser::Outcome CsvEventParser::Parse(std::string_view line, Request* out,
                                             LineIssue* issue) {
  // A BOM is dropped from every line, not only the first: files saved with one are often
  // concatenated, and a header handed in ahead of the file (a resumed import) then still
  // matches the file's first line.
  line = CleanLine(line);
  if (IsBlankLine(line)) {
    return Outcome::kSkip;
  }
  switch (header_state_) {
    case HeaderState::kNone:
      return ParseHeader(line, issue);
    case HeaderState::kBad:
      if (line == header_line_) {
        return Reject(issue, header_code_, header_reason_);
      }
      return Reject(issue, "bad_header", "the header was rejected: ", header_reason_);
    case HeaderState::kOk:
      break;
  }
  if (line == header_line_) {
    return Outcome::kSkip;  // Files concatenated with their headers.
  }
  if (!Split(line, issue)) {
    return Outcome::kReject;
  }
  if (fields_.size() != header_fields_) {
    return Reject(issue, "field_count", Num(static_cast<int64_t>(fields_.size())),
                  fields_.size() == 1 ? " field" : " fields", " where the header has ",
                  Num(static_cast<int64_t>(header_fields_)));
  }
  std::array<Value, kFieldCount> values;
  for (int f = 0; f < kFieldCount; ++f) {
    const int col = column_of_[f];
    if (col >= 0) {
      const auto c = static_cast<size_t>(col);
      values[f] = Text(quoted_[c] != 0 ? fields_[c] : Trim(fields_[c]));
    }
  }
  return assembler_.Assemble(values, out, issue);
}

}  // namespace

std::unique_ptr<RequestParser> MakeNdjsonEventParser() {
  return std::make_unique<NdjsonEventParser>();
}

std::unique_ptr<RequestParser> MakeCsvEventParser() {
  return std::make_unique<CsvEventParser>();
}

std::string_view DetectEventFormat(std::string_view path, std::string_view prefix) {
  const size_t slash = path.find_last_of('/');
  std::string_view name = slash == kNpos ? path : path.substr(slash + 1);
  auto ends_with = [](std::string_view s, std::string_view suffix) {
    if (s.size() < suffix.size()) {
      return false;
    }
    const std::string_view tail = s.substr(s.size() - suffix.size());
    for (size_t i = 0; i < suffix.size(); ++i) {
      if (LowerAscii(tail[i]) != suffix[i]) {
        return false;
      }
    }
    return true;
  };
  if (ends_with(name, ".gz")) {
    name.remove_suffix(3);
  }
  for (std::string_view ext : {".ndjson", ".jsonl", ".json"}) {
    if (ends_with(name, ext)) {
      return "ndjson";
    }
  }
  if (ends_with(name, ".csv")) {
    return "csv";
  }
  if (prefix.starts_with(kBom)) {
    prefix.remove_prefix(kBom.size());
  }
  const size_t first = prefix.find_first_not_of(" \t\r\n");
  if (first == kNpos) {
    return "";
  }
  return prefix[first] == '{' ? "ndjson" : "csv";
}

}  // namespace vigil::ingest
