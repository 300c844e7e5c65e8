#include "vigil/config/config.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "vigil/config/path_pattern.h"
#include "vigil/config/yaml_support.h"

namespace vigil::config {
namespace {

// Bounds checked before yaml-cpp sees the text (yaml_support.h: CheckYamlBounds). A real
// vigil.yaml nests about 8 levels deep.
constexpr size_t kMaxConfigBytes = internal::kMaxYamlBytes;
constexpr int kMaxVisitedNodes = internal::kMaxVisitedValues;
constexpr size_t kMaxIssuesKept = 100;
constexpr size_t kMaxIssuesShown = 20;

constexpr int64_t kMaxThresholdUs = int64_t{3'600'000'000};  // 1 h.
constexpr int kMaxRouteCap = 1'000'000;
constexpr double kMinRelativeAccuracy = 1e-4;
constexpr double kMaxRelativeAccuracy = 0.5;
constexpr size_t kMaxNameBytes = 256;
constexpr core::Duration kMaxReorderHorizon = core::Duration::Days(1);
constexpr core::Duration kMinDownsampleAfter = core::Duration::Hours(1);

// ---------------------------------------------------------------------------------------
// Text helpers.

// `s` in double quotes for a message: control bytes escaped, long text cut.
std::string Quote(std::string_view s) {
  constexpr size_t kMaxShown = 60;
  bool cut = false;
  if (s.size() > kMaxShown) {
    size_t n = kMaxShown;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) {
      --n;  // Do not split a UTF-8 sequence.
    }
    s = s.substr(0, n);
    cut = true;
  }
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else {
      out += ch;
    }
  }
  out += cut ? "...\"" : "\"";
  return out;
}

// `s` as is when it is a short plain word, else quoted: "got 1.5", "got \"30 days\"".
std::string Shown(std::string_view s) {
  constexpr size_t kMaxPlain = 40;
  const bool plain = !s.empty() && s.size() <= kMaxPlain &&
                     std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
  return plain ? std::string(s) : Quote(s);
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

// Lower-cased, without '_' and '-': "reorderHorizon" and "reorder-horizon" both become
// "reorderhorizon".
std::string NormalizeKey(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '_' || c == '-') {
      continue;
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// Edits (insert, delete, replace, swap two neighbours) turning `a` into `b`: "wbe" → "web" is 1.
size_t EditDistance(std::string_view a, std::string_view b) {
  const size_t width = b.size() + 1;
  std::vector<size_t> d((a.size() + 1) * width);
  auto at = [&](size_t i, size_t j) -> size_t& { return d[i * width + j]; };
  for (size_t i = 0; i <= a.size(); ++i) {
    at(i, 0) = i;
  }
  for (size_t j = 0; j <= b.size(); ++j) {
    at(0, j) = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(a.size(), b.size());
}

// The closest of `candidates` to `word` when there is an obvious one, else "".
std::string Closest(std::string_view word, std::span<const std::string_view> candidates) {
  constexpr size_t kMaxCompared = 64;
  if (word.empty() || word.size() > kMaxCompared) {
    return "";
  }
  const std::string w = NormalizeKey(word);
  for (std::string_view c : candidates) {
    if (NormalizeKey(c) == w) {
      return std::string(c);
    }
  }
  const size_t allowed = w.size() >= 6 ? 2 : 1;
  std::string best;
  size_t best_distance = allowed + 1;
  bool tie = false;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(w, NormalizeKey(c));
    if (d < best_distance) {
      best = std::string(c);
      best_distance = d;
      tie = false;
    } else if (d == best_distance) {
      tie = true;
    }
  }
  if (!best.empty() && !tie) {
    return best;
  }
  // A part of a longer key: "downsample_after" for "sketch_downsample_after".
  if (w.size() >= 4) {
    std::string found;
    for (std::string_view c : candidates) {
      if (NormalizeKey(c).find(w) != std::string::npos) {
        if (!found.empty()) {
          return "";
        }
        found = std::string(c);
      }
    }
    return found;
  }
  return "";
}

std::string JoinPath(std::string_view path, std::string_view key) {
  if (path.empty()) {
    return std::string(key);
  }
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string IndexPath(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

// ---------------------------------------------------------------------------------------
// Value parsers (no YAML here). Each returns the value or a reason for the message.

template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string reason;  // Set when value is empty.
};

template <typename T>
Parsed<T> Fail(std::string reason) {
  return Parsed<T>{std::nullopt, std::move(reason)};
}

// "0.999", "99.9%" → a fraction in (0, 1). The percent form is rewritten as the decimal
// fraction before conversion, so "99.9%" and "0.999" give the very same double.
Parsed<double> ParseFraction(std::string_view text) {
  std::string decimal;
  const bool percent = !text.empty() && text.back() == '%';
  if (percent) {
    std::string_view number = text.substr(0, text.size() - 1);
    const size_t dot = number.find('.');
    std::string_view int_part = number.substr(0, dot);
    std::string_view frac_part =
        dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
    if ((int_part.empty() && frac_part.empty()) || (!int_part.empty() && !AllDigits(int_part)) ||
        (!frac_part.empty() && !AllDigits(frac_part)) ||
        (dot != std::string_view::npos && frac_part.empty())) {
      return Fail<double>("not a percentage: " + Quote(text) + " (write e.g. 99.9%)");
    }
    // Move the decimal point two places to the left.
    std::string digits = std::string(int_part) + std::string(frac_part);
    const auto point = static_cast<ptrdiff_t>(int_part.size()) - 2;
    if (point <= 0) {
      decimal = "0." + std::string(static_cast<size_t>(-point), '0') + digits;
    } else {
      decimal = digits.substr(0, static_cast<size_t>(point)) + "." +
                digits.substr(static_cast<size_t>(point));
    }
  } else {
    decimal = std::string(text);
  }
  double value = 0;
  const char* begin = decimal.data();
  const char* end = begin + decimal.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (decimal.empty() || ec != std::errc() || ptr != end) {
    return Fail<double>("not a number: " + Quote(text) + " (write e.g. 0.999 or 99.9%)");
  }
  if (!(value > 0 && value < 1)) {
    std::string reason = "must be in (0, 1), got " + Shown(text);
    if (!percent && value >= 10 && value < 100) {
      reason += " (for a percentage write " + std::string(text) + "%)";
    }
    return Fail<double>(std::move(reason));
  }
  return Parsed<double>{value, ""};
}

// A latency threshold: a decimal number and one unit of us (µs), ms or s; exact to 1 µs,
// in (0, 1h]. Parsed here rather than by core::ParseDuration, which counts milliseconds.
Parsed<core::LatencyUs> ParseThreshold(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (IsDigit(text[i]) || text[i] == '.')) {
    ++i;
  }
  std::string_view number = text.substr(0, i);
  std::string_view unit = text.substr(i);
  if (!unit.empty() && unit.front() == ' ') {
    unit.remove_prefix(1);
  }
  int unit_exponent = 0;  // The unit is 10^unit_exponent µs.
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {  // us, µs (micro), μs (mu)
    unit_exponent = 0;
  } else if (unit == "ms") {
    unit_exponent = 3;
  } else if (unit == "s") {
    unit_exponent = 6;
  } else if (!number.empty() && (unit == "m" || unit == "min" || unit == "h" || unit == "d")) {
    return Fail<core::LatencyUs>("unit " + Quote(unit) +
                                 " is not for latency thresholds; use us, ms or s (at most 1h)");
  } else if (unit.empty() && !number.empty()) {
    return Fail<core::LatencyUs>("needs a unit, e.g. " + std::string(number) +
                                 "ms (units: us, ms, s)");
  } else {
    return Fail<core::LatencyUs>("not a latency: " + Quote(text) +
                                 " (write e.g. 800ms, 1.5s or 250us)");
  }
  const size_t dot = number.find('.');
  std::string_view int_part = number.substr(0, dot);
  std::string_view frac_part =
      dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
  if (int_part.empty() || !AllDigits(int_part) ||
      (dot != std::string_view::npos && (frac_part.empty() || !AllDigits(frac_part)))) {
    return Fail<core::LatencyUs>("not a latency: " + Quote(text) +
                                 " (write e.g. 800ms, 1.5s or 250us)");
  }
  while (!frac_part.empty() && frac_part.back() == '0') {
    frac_part.remove_suffix(1);
  }
  while (int_part.size() > 1 && int_part.front() == '0') {
    int_part.remove_prefix(1);
  }
  if (static_cast<int>(frac_part.size()) > unit_exponent) {
    return Fail<core::LatencyUs>("finer than 1us: " + Quote(text));
  }
  const std::string_view too_long = "must be at most 1h, got ";
  if (int_part.size() > 12) {
    return Fail<core::LatencyUs>(std::string(too_long) + Shown(text));
  }
  // value = mantissa × 10^(unit_exponent − fraction digits) µs, an integer.
  int64_t multiplier = 1;
  for (int k = static_cast<int>(frac_part.size()); k < unit_exponent; ++k) {
    multiplier *= 10;
  }
  int64_t mantissa = 0;
  for (char c : int_part) {
    mantissa = mantissa * 10 + (c - '0');
  }
  for (char c : frac_part) {
    mantissa = mantissa * 10 + (c - '0');
  }
  if (mantissa > kMaxThresholdUs / multiplier) {
    return Fail<core::LatencyUs>(std::string(too_long) + Shown(text));
  }
  const int64_t us = mantissa * multiplier;
  if (us <= 0) {
    return Fail<core::LatencyUs>("must be more than 0, got " + Shown(text));
  }
  return Parsed<core::LatencyUs>{core::LatencyUs::FromMicros(us), ""};
}

// A duration through core::ParseDuration, with reasons that say how to write one.
Parsed<core::Duration> ParseDurationText(std::string_view text) {
  constexpr std::string_view kHowTo = " (write e.g. 28d, 12h, 5m, 90s; units ms s m h d w)";
  if (AllDigits(text)) {
    return Fail<core::Duration>("needs a unit, e.g. " + std::string(text) +
                                "d (units ms s m h d w)");
  }
  if (!text.empty() &&
      (text.back() == 'M' || text.back() == 'y' || text.back() == 'Y' || text.back() == 'Q')) {
    return Fail<core::Duration>("not a duration: " + Quote(text) +
                                " (months, quarters and years vary in length; write days, "
                                "e.g. 30d or 365d)");
  }
  Result<core::Duration> d = core::ParseDuration(text);
  if (!d.ok()) {
    return Fail<core::Duration>("not a duration: " + Quote(text) + std::string(kHowTo));
  }
  return Parsed<core::Duration>{*d, ""};
}

// An HTTP method token (RFC 9110 tchar), upper-cased.
Parsed<std::string> ParseMethod(std::string_view text) {
  if (text == "*" || text == "ANY" || text == "any") {
    return Fail<std::string>("not a method: " + Quote(text) +
                             " (leave out methods to match any method)");
  }
  static constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  std::string out;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 'A');
    } else if ((c >= 'A' && c <= 'Z') || IsDigit(c) ||
               kTokenPunctuation.find(c) != std::string_view::npos) {
      out += c;
    } else {
      return Fail<std::string>("not an HTTP method: " + Quote(text) + " (write e.g. GET, POST)");
    }
  }
  if (out.empty()) {
    return Fail<std::string>("must not be empty");
  }
  return Parsed<std::string>{std::move(out), ""};
}

// Names of services, environments and journeys: as telemetry writes them, so permissive.
std::string NameProblem(std::string_view name, bool may_be_empty) {
  if (name.empty()) {
    return may_be_empty ? "" : "must not be empty";
  }
  if (name.size() > kMaxNameBytes) {
    return "longer than " + std::to_string(kMaxNameBytes) + " bytes";
  }
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      return "contains a control character: " + Quote(name);
    }
  }
  if (name.front() == ' ' || name.back() == ' ') {
    return "has leading or trailing spaces: " + Quote(name);
  }
  return "";
}

std::string UrlProblem(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return "";  // A plain path.
  }
  std::string_view scheme = url.substr(0, sep);
  if (scheme != "sqlite" && scheme != "postgres" && scheme != "postgresql") {
    return "unsupported scheme " + Quote(scheme) +
           " (use sqlite:///path, postgres://..., or a file path)";
  }
  if (url.size() == sep + 3) {
    return "missing the part after " + std::string(scheme) + "://";
  }
  return "";
}

// ---------------------------------------------------------------------------------------
// Nesting pre-scan.

bool StartsToken(char prev) {
  return prev == ' ' || prev == '\t' || prev == '[' || prev == '{' || prev == ',' || prev == ':' ||
         prev == '-' || prev == '?';
}

// Whether the line (without comment) ends in a block scalar header ("key: |", "- >-").
bool EndsWithBlockScalarHeader(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  size_t start = line.size();
  while (start > 0 && line[start - 1] != ' ' && line[start - 1] != '\t') {
    --start;
  }
  std::string_view token = line.substr(start);
  if (token.empty() || (token[0] != '|' && token[0] != '>')) {
    return false;
  }
  for (char c : token.substr(1)) {
    if (c != '+' && c != '-' && !IsDigit(c)) {
      return false;
    }
  }
  // What precedes must end a key ("key:"), start an entry ("-", "?"), or be a tag/anchor.
  std::string_view before = line.substr(0, start);
  while (!before.empty() && (before.back() == ' ' || before.back() == '\t')) {
    before.remove_suffix(1);
  }
  if (before.empty()) {
    return true;
  }
  const char last = before.back();
  if (last == ':' || last == '-' || last == '?') {
    return true;
  }
  size_t t = before.size();
  while (t > 0 && before[t - 1] != ' ') {
    --t;
  }
  return before[t] == '!' || before[t] == '&';
}

// The 1-based line at which an estimate of the YAML nesting depth (block collections by
// indentation and "- "/"? " entries, plus flow brackets) first exceeds max_depth; 0 if never.
// The estimate errs on the high side where quoting is ambiguous: brackets inside what might be
// a quoted string count until the string closes.
int FindExcessiveNesting(std::string_view text, int max_depth) {
  struct Level {
    size_t column;
    bool sequence;
  };
  std::vector<Level> block;
  int flow = 0;
  int quoted_openers = 0;
  char quote = 0;
  size_t block_scalar_parent = 0;
  bool in_block_scalar = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') {
      ++indent;
    }
    const bool blank = indent == line.size() || line[indent] == '#' || line[indent] == '\r' ||
                       line[indent] == '\t';
    if (in_block_scalar) {
      if (blank || indent > block_scalar_parent) {
        continue;
      }
      in_block_scalar = false;
    }
    size_t i = 0;
    if (quote == 0 && flow == 0 && !blank) {
      // Close the block collections this line is not inside.
      while (!block.empty() &&
             (block.back().column > indent ||
              (block.back().column == indent && block.back().sequence && line[indent] != '-'))) {
        block.pop_back();
      }
      if (block.empty() || block.back().column < indent) {
        block.push_back(Level{indent, false});
      }
      // Compact entries: "- - x", "- key: v", "? x" each open a level.
      i = indent;
      while (i < line.size() && (line[i] == '-' || line[i] == '?') &&
             (i + 1 == line.size() || line[i + 1] == ' ')) {
        const bool sequence = line[i] == '-';
        if (sequence && !(block.back().column == i && block.back().sequence)) {
          block.push_back(Level{i, true});
        }
        ++i;
        while (i < line.size() && line[i] == ' ') {
          ++i;
        }
        if (i < line.size() && line[i] != '#') {
          block.push_back(Level{i, false});
        }
      }
      if (static_cast<int>(block.size()) > max_depth) {
        return line_no;
      }
      i = indent;
    }
    const int base = static_cast<int>(block.size());
    char prev = ' ';
    size_t content_end = line.size();
    for (; i < line.size(); ++i) {
      const char ch = line[i];
      if (quote != 0) {
        if (quote == '"' && ch == '\\') {
          ++i;
        } else if (ch == quote) {
          if (quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
            ++i;
          } else {
            quote = 0;
            quoted_openers = 0;
          }
        } else if (ch == '[' || ch == '{') {
          if (base + flow + ++quoted_openers > max_depth) {
            return line_no;
          }
        }
        prev = ch;
        continue;
      }
      if (ch == '#' && (i == 0 || prev == ' ' || prev == '\t')) {
        content_end = i;
        break;
      }
      if ((ch == '"' || ch == '\'') && StartsToken(prev)) {
        quote = ch;
      } else if (ch == '[' || ch == '{') {
        if (base + ++flow > max_depth) {
          return line_no;
        }
      } else if ((ch == ']' || ch == '}') && flow > 0) {
        --flow;
      }
      prev = ch;
    }
    if (quote == 0 && flow == 0 && !blank &&
        EndsWithBlockScalarHeader(line.substr(0, content_end))) {
      in_block_scalar = true;
      block_scalar_parent = indent;
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// The validating reader over yaml-cpp nodes.

int LineOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

// One known key of a mapping, as found.
struct Field {
  std::string_view name;
  YAML::Node key;
  YAML::Node value;
  std::string path;

  int KeyLine() const { return LineOf(key); }
  // The value's line; yaml-cpp marks an empty value at the next token, so use the key's.
  int ValueLine() const { return value.IsNull() ? KeyLine() : LineOf(value); }
};

class Fields {
 public:
  explicit Fields(int line) : line_(line) {}
  const Field* Find(std::string_view name) const {
    for (const Field& f : fields_) {
      if (f.name == name) {
        return &f;
      }
    }
    return nullptr;
  }
  void Add(Field f) { fields_.push_back(std::move(f)); }
  int line() const { return line_; }  // Where the mapping starts.
  // Whether ReadMap reported a problem with the mapping itself or one of its keys.
  bool had_errors() const { return had_errors_; }
  void set_had_errors() { had_errors_ = true; }

 private:
  int line_;
  bool had_errors_ = false;
  std::vector<Field> fields_;
};

// One entry of a list value, with its key path ("services[2]").
struct ListItem {
  YAML::Node node;
  std::string path;
};

// Keys users of other tools write, and the key vigil has for them.
struct KeyHint {
  std::string_view written;
  std::string_view meant;      // The key to suggest, or "".
  std::string_view note = {};  // Said instead when there is no one key to suggest.
};

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  void Error(int line, std::string_view path, std::string_view reason) {
    if (over_budget_ && !issues_.empty()) {
      return;
    }
    if (issues_.size() >= kMaxIssuesKept) {
      ++dropped_;
      return;
    }
    std::string text(path);
    if (!text.empty()) {
      text += ": ";
    }
    text += reason;
    issues_.push_back(Issue{line, std::move(text)});
  }

  bool ok() const { return issues_.empty(); }
  bool over_budget() const { return over_budget_; }

  // Counts one visited value; false (once reported) past the budget.
  bool Charge(int line) {
    if (over_budget_) {
      return false;
    }
    if (++visited_ > kMaxVisitedNodes) {
      // This error alone is reported: the others may only be the expansion's echoes.
      over_budget_ = true;
      issues_.clear();
      dropped_ = 0;
      Error(line, "",
            "more than " + std::to_string(kMaxVisitedNodes) +
                " values (do anchors and aliases expand too far?)");
      return false;
    }
    return true;
  }

  Status ToStatus() const {
    std::vector<Issue> sorted = issues_;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Issue& a, const Issue& b) { return a.line < b.line; });
    std::string message;
    size_t shown = 0;
    for (const Issue& issue : sorted) {
      if (shown == kMaxIssuesShown) {
        break;
      }
      if (!message.empty()) {
        message += '\n';
      }
      message += Locate(issue.line) + issue.text;
      ++shown;
    }
    const size_t more = sorted.size() - shown + dropped_;
    if (more > 0) {
      message += "\n" + Locate(0) + "... and " + std::to_string(more) + " more";
    }
    return InvalidArgumentError(std::move(message));
  }

  // "<source>:<line>: ", "line <n>: " without a source name, "<source>: " without a line.
  std::string Locate(int line) const {
    if (source_.empty()) {
      return line > 0 ? "line " + std::to_string(line) + ": " : "";
    }
    return line > 0 ? source_ + ":" + std::to_string(line) + ": " : source_ + ": ";
  }

  // The known keys of a mapping. A null node reads as an empty mapping; anything else that is
  // not a mapping, an unknown key or a repeated key is an error.
  Fields ReadMap(const YAML::Node& node, int line, std::string_view path,
                 std::span<const std::string_view> known, std::span<const KeyHint> hints = {}) {
    Fields fields(node.IsNull() ? line : LineOf(node));
    if (node.IsNull() || !Charge(line)) {
      return fields;
    }
    if (!node.IsMap()) {
      Error(line, path, "must be a mapping of keys (" + JoinKeys(known) + ")");
      fields.set_had_errors();
      return fields;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      // By value: the iterator hands out a temporary pair.
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!Charge(LineOf(key))) {
        return fields;
      }
      if (!key.IsScalar()) {
        Error(LineOf(key), path, "keys must be plain words");
        fields.set_had_errors();
        continue;
      }
      const std::string& name = key.Scalar();
      auto match = std::find(known.begin(), known.end(), name);
      if (match == known.end()) {
        Error(LineOf(key), JoinPath(path, name), UnknownKeyReason(name, known, hints));
        fields.set_had_errors();
        continue;
      }
      if (const Field* first = fields.Find(*match)) {
        Error(LineOf(key), JoinPath(path, name),
              "duplicate key (first at line " + std::to_string(first->KeyLine()) + ")");
        continue;
      }
      fields.Add(Field{*match, key, value, JoinPath(path, name)});
    }
    return fields;
  }

  // The elements of a list value. Null reads as an empty list; a non-list is an error.
  std::vector<ListItem> ReadList(const Field& f, std::string_view example) {
    std::vector<ListItem> out;
    if (f.value.IsNull()) {
      return out;
    }
    if (!f.value.IsSequence()) {
      Error(f.ValueLine(), f.path, "must be a list" + std::string(example));
      return out;
    }
    size_t index = 0;
    for (auto it = f.value.begin(); it != f.value.end(); ++it, ++index) {
      if (!Charge(LineOf(*it))) {
        break;
      }
      if (it->IsNull()) {
        // yaml-cpp marks an empty entry at the next token, so name the list's line instead.
        Error(f.KeyLine(), IndexPath(f.path, index), "empty entry");
        continue;
      }
      out.push_back(ListItem{*it, IndexPath(f.path, index)});
    }
    return out;
  }

  // The scalar text of a value; nullopt for an empty (null) value or after an error.
  std::optional<std::string> Scalar(const Field& f) {
    if (f.value.IsNull()) {
      return std::nullopt;
    }
    if (!f.value.IsScalar()) {
      Error(f.ValueLine(), f.path, "must be a single value, not a list or mapping");
      return std::nullopt;
    }
    return f.value.Scalar();
  }

  // Applies a value parser to an optional field; leaves *out unchanged when the field is
  // absent or empty. Returns false after an error.
  template <typename T, typename Parse>
  bool Read(const Field* f, Parse parse, T* out) {
    if (f == nullptr) {
      return true;
    }
    std::optional<std::string> text = Scalar(*f);
    if (!text) {
      return f->value.IsNull();
    }
    auto parsed = parse(*text);
    if (!parsed.value) {
      Error(f->ValueLine(), f->path, parsed.reason);
      return false;
    }
    *out = std::move(*parsed.value);
    return true;
  }

 private:
  struct Issue {
    int line;
    std::string text;
  };

  static std::string JoinKeys(std::span<const std::string_view> keys) {
    std::string out;
    for (std::string_view k : keys) {
      if (!out.empty()) {
        out += ", ";
      }
      out += k;
    }
    return out;
  }

  static std::string UnknownKeyReason(std::string_view name,
                                      std::span<const std::string_view> known,
                                      std::span<const KeyHint> hints) {
    std::string reason = "unknown key " + Quote(name);
    if (name == "<<") {
      return reason + " (merge keys are not supported; put the anchor on the whole value)";
    }
    std::string suggestion;
    const std::string normalized = NormalizeKey(name);
    for (const KeyHint& hint : hints) {
      if (NormalizeKey(hint.written) == normalized) {
        if (!hint.note.empty()) {
          return reason + " (" + std::string(hint.note) + ")";
        }
        suggestion = std::string(hint.meant);
      }
    }
    if (suggestion.empty()) {
      suggestion = Closest(name, known);
    }
    if (!suggestion.empty()) {
      return reason + "; did you mean " + Quote(suggestion) + "?";
    }
    return reason + "; known keys: " + JoinKeys(known);
  }

  std::string source_;
  std::vector<Issue> issues_;
  size_t dropped_ = 0;
  int visited_ = 0;
  bool over_budget_ = false;
};

// ---------------------------------------------------------------------------------------
// The schema.

constexpr std::string_view kTopKeys[] = {"store",    "ingest",   "default_service",
                                         "services", "areas",    "ownership",
                                         "mappings", "releases", "incidents"};
constexpr std::string_view kNotSlothOrOpenSlo =
    "vigil.yaml is not a Sloth or OpenSLO file: SLOs go under "
    "services[].journeys[].slo, see docs/configuration.md";
constexpr KeyHint kTopHints[] = {
    {"version", "", kNotSlothOrOpenSlo}, {"apiVersion", "", kNotSlothOrOpenSlo},
    {"kind", "", kNotSlothOrOpenSlo},    {"metadata", "", kNotSlothOrOpenSlo},
    {"spec", "", kNotSlothOrOpenSlo},    {"slos", "", kNotSlothOrOpenSlo},
    {"service", "", kNotSlothOrOpenSlo}, {"journeys", "", "journeys go under services[]"}};
constexpr std::string_view kStoreKeys[] = {"url", "sketch_relative_accuracy", "retention",
                                           "sketch_downsample_after"};
constexpr KeyHint kStoreHints[] = {{"path", "url"}, {"dsn", "url"}, {"database", "url"}};
constexpr std::string_view kIngestKeys[] = {"reorder_horizon", "route_cap"};
constexpr std::string_view kServiceKeys[] = {"name", "environment", "journeys"};
constexpr std::string_view kAreaKeys[] = {"name", "paths"};
constexpr KeyHint kAreaHints[] = {{"area", "name"},  {"path", "paths"},     {"globs", "paths"},
                                  {"glob", "paths"}, {"patterns", "paths"}, {"files", "paths"}};
constexpr std::string_view kOwnershipKeys[] = {"codeowners", "syntax"};
constexpr std::string_view kReleaseKeys[] = {"failure_window", "patch_is_hotfix",
                                             "production_environments"};
constexpr KeyHint kReleaseHints[] = {{"window", "failure_window"},
                                     {"production", "production_environments"},
                                     {"environments", "production_environments"}};
constexpr std::string_view kIncidentKeys[] = {"alert_link_before", "excluded_causes", "infer_cause",
                                              "alert_incident_label", "alert_service_label"};
constexpr KeyHint kIncidentHints[] = {{"exclude", "excluded_causes"},
                                      {"excluded", "excluded_causes"},
                                      {"link_window", "alert_link_before"}};
constexpr core::Duration kMaxFailureWindow = core::Duration::Days(365);
constexpr core::Duration kMaxAlertLinkBefore = core::Duration::Days(7);
constexpr KeyHint kServiceHints[] = {{"service", "name"}, {"env", "environment"}};
constexpr std::string_view kJourneyKeys[] = {"name", "methods", "route", "slo"};
constexpr KeyHint kJourneyHints[] = {{"path", "route"}, {"paths", "route"},    {"pattern", "route"},
                                     {"url", "route"},  {"objectives", "slo"}, {"slos", "slo"}};
constexpr std::string_view kSloKeys[] = {"availability", "latency", "window"};
constexpr KeyHint kSloHints[] = {
    {"objective", "availability"}, {"target", "availability"}, {"targetPercent", "availability"},
    {"timeWindow", "window"},      {"period", "window"},       {"threshold", "latency"}};
constexpr std::string_view kObjectiveKeys[] = {"threshold", "target"};
constexpr KeyHint kObjectiveHints[] = {{"le", "threshold"},         {"max", "threshold"},
                                       {"value", "threshold"},      {"objective", "target"},
                                       {"targetPercent", "target"}, {"percentile", "target"}};

// A value parser for names (see NameProblem).
struct NameParser {
  bool may_be_empty;
  Parsed<std::string> operator()(const std::string& text) const {
    std::string problem = NameProblem(text, may_be_empty);
    return problem.empty() ? Parsed<std::string>{text, ""} : Fail<std::string>(problem);
  }
};

// Settings read before the services, for the checks across sections.
struct Context {
  core::Duration retention = StoreSettings{}.retention;
  std::string retention_text = "400d";
  bool retention_ok = true;
};

class ConfigParser {
 public:
  explicit ConfigParser(Reader& reader) : r_(reader) {}

  void ParseRoot(const YAML::Node& root, Config* config) {
    if (!root.IsNull() && !root.IsMap()) {
      r_.Error(LineOf(root), "",
               "the top level must be a mapping of settings (store, ingest, default_service, "
               "services, areas, ownership, mappings, releases, incidents)");
      return;
    }
    Fields top = r_.ReadMap(root, 1, "", kTopKeys, kTopHints);
    if (const Field* f = top.Find("store")) {
      ParseStore(*f, &config->store);
    }
    if (const Field* f = top.Find("ingest")) {
      ParseIngest(*f, &config->ingest);
    }
    if (const Field* f = top.Find("services")) {
      ParseServices(*f, &config->services);
    }
    if (const Field* f = top.Find("areas")) {
      ParseAreas(*f, &config->areas);
    }
    if (const Field* f = top.Find("ownership")) {
      ParseOwnership(*f, &config->ownership);
    }
    if (const Field* f = top.Find("mappings")) {
      ParseMappings(*f, &config->mappings);
    }
    if (const Field* f = top.Find("releases")) {
      ParseReleases(*f, &config->releases);
    }
    if (const Field* f = top.Find("incidents")) {
      ParseIncidents(*f, &config->incidents);
    }
    if (const Field* f = top.Find("default_service")) {
      std::string name;
      if (r_.Read(f, NameParser{/*may_be_empty=*/true}, &name)) {
        config->default_service = name;
        if (!name.empty() && !config->services.empty() && config->FindService(name) == nullptr) {
          std::vector<std::string_view> names;
          for (const Service& s : config->services) {
            names.push_back(s.name);
          }
          std::string reason = "names no service listed in services: " + Quote(name);
          std::string closest = Closest(name, names);
          if (!closest.empty()) {
            reason += "; did you mean " + Quote(closest) + "?";
          }
          r_.Error(f->ValueLine(), f->path, reason);
        }
      }
    }
  }

 private:
  static Parsed<core::Duration> PositiveDuration(const std::string& text) {
    Parsed<core::Duration> d = ParseDurationText(text);
    if (d.value && d.value->ms() <= 0) {
      return Fail<core::Duration>("must be more than 0, got " + Shown(text));
    }
    return d;
  }

  // The field `name` when it has a value. Else reports it missing, unless the mapping already
  // had a reported problem such as a misspelt key, and returns nullptr.
  const Field* Require(const Fields& fields, std::string_view name, std::string_view path,
                       std::string_view example) {
    const Field* f = fields.Find(name);
    if (f != nullptr && !f->value.IsNull()) {
      return f;
    }
    if (!fields.had_errors()) {
      r_.Error(f != nullptr ? f->KeyLine() : fields.line(), path,
               "missing required key " + Quote(name) + std::string(example));
    }
    return nullptr;
  }

  void ParseStore(const Field& field, StoreSettings* store) {
    Fields fields = r_.ReadMap(field.value, field.ValueLine(), field.path, kStoreKeys, kStoreHints);
    r_.Read(
        fields.Find("url"),
        [](const std::string& text) {
          std::string problem = UrlProblem(text);
          return problem.empty() ? Parsed<std::string>{text, ""} : Fail<std::string>(problem);
        },
        &store->url);
    r_.Read(
        fields.Find("sketch_relative_accuracy"),
        [](const std::string& text) {
          // The sketch's accepted range (sketch::kMinRelativeAccuracy..kMaxRelativeAccuracy;
          // config may not include sketch).
          Parsed<double> v = ParseFraction(text);
          if (!v.value || *v.value < kMinRelativeAccuracy || *v.value > kMaxRelativeAccuracy) {
            return Fail<double>("must be in [0.0001, 0.5] (0.01 = 1%), got " + Shown(text));
          }
          return v;
        },
        &store->sketch_relative_accuracy);
    const Field* retention = fields.Find("retention");
    ctx_.retention_ok = r_.Read(retention, PositiveDuration, &store->retention);
    ctx_.retention = store->retention;
    if (retention != nullptr && !retention->value.IsNull() && retention->value.IsScalar()) {
      ctx_.retention_text = retention->value.Scalar();
    }
    const Field* downsample = fields.Find("sketch_downsample_after");
    if (r_.Read(downsample, PositiveDuration, &store->sketch_downsample_after) &&
        downsample != nullptr && !downsample->value.IsNull()) {
      if (store->sketch_downsample_after < kMinDownsampleAfter) {
        r_.Error(downsample->ValueLine(), downsample->path,
                 "must be at least 1h (sketches are downsampled to hours), got " +
                     Shown(downsample->value.Scalar()));
      } else if (ctx_.retention_ok && store->sketch_downsample_after > store->retention) {
        r_.Error(downsample->ValueLine(), downsample->path,
                 "must not exceed store.retention (" + Shown(ctx_.retention_text) + "), got " +
                     Shown(downsample->value.Scalar()));
      }
    }
  }

  void ParseIngest(const Field& field, IngestSettings* ingest) {
    Fields fields = r_.ReadMap(field.value, field.ValueLine(), field.path, kIngestKeys);
    r_.Read(
        fields.Find("reorder_horizon"),
        [](const std::string& text) {
          Parsed<core::Duration> d = ParseDurationText(text);
          if (d.value && *d.value > kMaxReorderHorizon) {
            return Fail<core::Duration>("must be at most 1d, got " + Shown(text));
          }
          return d;
        },
        &ingest->reorder_horizon);
    r_.Read(
        fields.Find("route_cap"),
        [](const std::string& text) {
          int value = 0;
          const char* end = text.data() + text.size();
          auto [ptr, ec] = std::from_chars(text.data(), end, value);
          if (text.empty() || ec != std::errc() || ptr != end || value < 0 ||
              value > kMaxRouteCap) {
            return Fail<int>("must be a whole number in [0, " + std::to_string(kMaxRouteCap) +
                             "], got " + Shown(text));
          }
          return Parsed<int>{value, ""};
        },
        &ingest->route_cap);
  }

  void ParseServices(const Field& field, std::vector<Service>* services) {
    std::vector<ListItem> items = r_.ReadList(field, ", e.g. - name: web");
    std::unordered_map<std::string, int> name_lines;
    for (const ListItem& item : items) {
      const std::string& path = item.path;
      Fields fields = r_.ReadMap(item.node, LineOf(item.node), path, kServiceKeys, kServiceHints);
      if (r_.over_budget()) {
        return;
      }
      if (!item.node.IsMap()) {
        continue;  // Reported by ReadMap.
      }
      Service service;
      const Field* name = Require(fields, "name", path, "");
      if (name != nullptr && r_.Read(name, NameParser{false}, &service.name)) {
        auto [first, inserted] = name_lines.try_emplace(service.name, name->ValueLine());
        if (!inserted) {
          r_.Error(name->ValueLine(), name->path,
                   "duplicate service " + Quote(service.name) + " (first at line " +
                       std::to_string(first->second) + ")");
        }
      }
      r_.Read(fields.Find("environment"), NameParser{true}, &service.environment);
      if (const Field* journeys = fields.Find("journeys")) {
        ParseJourneys(*journeys, &service.journeys);
      }
      services->push_back(std::move(service));
    }
  }

  // What the journeys read so far take of one route, to find journeys that never match.
  struct RouteUse {
    std::string first_journey;
    int first_line = 0;
    bool any_method = false;
    std::unordered_set<std::string> methods;
  };

  void ParseJourneys(const Field& field, std::vector<Journey>* journeys) {
    std::vector<ListItem> items =
        r_.ReadList(field, ", e.g. - {name: checkout, route: /api/checkout}");
    std::unordered_map<std::string, int> name_lines;
    std::unordered_map<std::string, RouteUse> routes;
    for (const ListItem& item : items) {
      const std::string& path = item.path;
      Fields fields = r_.ReadMap(item.node, LineOf(item.node), path, kJourneyKeys, kJourneyHints);
      if (r_.over_budget()) {
        return;
      }
      if (!item.node.IsMap()) {
        continue;  // Reported by ReadMap.
      }
      Journey journey;
      const Field* name = Require(fields, "name", path, "");
      if (name != nullptr && r_.Read(name, NameParser{false}, &journey.name)) {
        auto [first, inserted] = name_lines.try_emplace(journey.name, name->ValueLine());
        if (!inserted) {
          r_.Error(name->ValueLine(), name->path,
                   "duplicate journey " + Quote(journey.name) + " in this service (first at line " +
                       std::to_string(first->second) + ")");
        }
      }
      const int line = name != nullptr ? name->ValueLine() : fields.line();
      if (const Field* methods = fields.Find("methods")) {
        ParseMethods(*methods, &journey.methods);
      }
      const Field* route = Require(fields, "route", path, " (e.g. route: /api/checkout/**)");
      const bool route_ok =
          route != nullptr &&
          r_.Read(
              route,
              [](const std::string& text) {
                Status s = ValidateRoutePattern(text);
                return s.ok() ? Parsed<std::string>{text, ""} : Fail<std::string>(s.message());
              },
              &journey.route);
      if (route_ok) {
        // Requests go to the first journey that fits, so a journey whose route the ones above
        // already take for all of its methods never gets any.
        auto [use, first_use] = routes.try_emplace(journey.route);
        RouteUse& u = use->second;
        if (first_use) {
          u.first_journey = journey.name;
          u.first_line = line;
        } else {
          const bool covered =
              u.any_method ||
              (!journey.methods.empty() &&
               std::all_of(journey.methods.begin(), journey.methods.end(),
                           [&u](const std::string& m) { return u.methods.count(m) > 0; }));
          if (covered) {
            r_.Error(route->ValueLine(), route->path,
                     "never matches: the journeys above with this route (first " +
                         Quote(u.first_journey) + ", line " + std::to_string(u.first_line) +
                         ") take all its methods");
          }
        }
        if (journey.methods.empty()) {
          u.any_method = true;
        }
        u.methods.insert(journey.methods.begin(), journey.methods.end());
      }
      if (const Field* slo = fields.Find("slo")) {
        ParseSlo(*slo, &journey.slo);
      }
      journeys->push_back(std::move(journey));
    }
  }

  void ParseMethods(const Field& field, std::vector<std::string>* methods) {
    std::vector<ListItem> items;
    if (field.value.IsScalar()) {
      items.push_back(ListItem{field.value, field.path});
    } else {
      items = r_.ReadList(field, ", e.g. [GET, POST]");
    }
    std::unordered_set<std::string> seen;
    for (const ListItem& entry : items) {
      Field item{"", field.key, entry.node, entry.path};
      std::string method;
      if (!r_.Read(&item, ParseMethod, &method)) {
        continue;
      }
      if (!seen.insert(method).second) {
        r_.Error(item.ValueLine(), item.path, "duplicate method " + method);
        continue;
      }
      methods->push_back(std::move(method));
    }
  }

  void ParseAreas(const Field& field, std::vector<Area>* areas) {
    std::vector<ListItem> items =
        r_.ReadList(field, ", e.g. - {name: checkout, paths: [services/checkout/]}");
    std::unordered_map<std::string, int> name_lines;
    for (const ListItem& item : items) {
      const std::string& path = item.path;
      Fields fields = r_.ReadMap(item.node, LineOf(item.node), path, kAreaKeys, kAreaHints);
      if (r_.over_budget()) {
        return;
      }
      if (!item.node.IsMap()) {
        continue;  // Reported by ReadMap.
      }
      Area area;
      const Field* name = Require(fields, "name", path, "");
      if (name != nullptr && r_.Read(name, NameParser{false}, &area.name)) {
        auto [first, inserted] = name_lines.try_emplace(area.name, name->ValueLine());
        if (!inserted) {
          r_.Error(name->ValueLine(), name->path,
                   "duplicate area " + Quote(area.name) + " (first at line " +
                       std::to_string(first->second) + ")");
        }
      }
      const Field* paths = Require(fields, "paths", path, " (e.g. paths: [services/checkout/])");
      if (paths != nullptr) {
        std::vector<ListItem> patterns;
        if (paths->value.IsScalar()) {
          patterns.push_back(ListItem{paths->value, paths->path});
        } else {
          patterns = r_.ReadList(*paths, ", e.g. [services/checkout/, web/cart/**]");
        }
        for (const ListItem& entry : patterns) {
          Field pattern_field{"", paths->key, entry.node, entry.path};
          std::string pattern;
          r_.Read(
              &pattern_field,
              [](const std::string& text) {
                Result<PathPattern> p = PathPattern::Parse(text);
                return p.ok() ? Parsed<std::string>{text, ""}
                              : Fail<std::string>(p.status().message());
              },
              &pattern);
          if (!pattern.empty()) {
            area.paths.push_back(std::move(pattern));
          }
        }
      }
      areas->push_back(std::move(area));
    }
  }

  void ParseOwnership(const Field& field, OwnershipSettings* ownership) {
    Fields fields = r_.ReadMap(field.value, field.ValueLine(), field.path, kOwnershipKeys);
    r_.Read(
        fields.Find("codeowners"),
        [](const std::string& text) {
          if (text.find('\0') != std::string::npos) {
            return Fail<std::string>("must be a file path");
          }
          return Parsed<std::string>{text, ""};
        },
        &ownership->codeowners);
    r_.Read(
        fields.Find("syntax"),
        [](const std::string& text) {
          if (text == "github" || text == "gitlab") {
            return Parsed<bool>{text == "gitlab", ""};
          }
          return Fail<bool>("must be github or gitlab, got " + Shown(text));
        },
        &ownership->gitlab);
  }

  void ParseMappings(const Field& field, std::vector<SourceMappings>* mappings) {
    std::vector<internal::YamlIssue> issues;
    *mappings = internal::ParseMappingsSection(field.value, field.ValueLine(), field.path, &issues);
    for (const internal::YamlIssue& issue : issues) {
      r_.Error(issue.line, issue.path, issue.reason);
    }
  }

  void ParseReleases(const Field& field, ReleaseSettings* releases) {
    Fields fields =
        r_.ReadMap(field.value, field.ValueLine(), field.path, kReleaseKeys, kReleaseHints);
    r_.Read(
        fields.Find("failure_window"),
        [](const std::string& text) {
          Parsed<core::Duration> d = PositiveDuration(text);
          if (d.value && *d.value > kMaxFailureWindow) {
            return Fail<core::Duration>("must be at most 365d, got " + Shown(text));
          }
          return d;
        },
        &releases->failure_window);
    r_.Read(fields.Find("patch_is_hotfix"), ParseBool, &releases->patch_is_hotfix);
    if (const Field* f = fields.Find("production_environments")) {
      std::vector<std::string> names;
      if (ReadNameList(*f, ", e.g. [production, prod]", &names)) {
        if (names.empty() && !f->value.IsNull()) {
          r_.Error(f->ValueLine(), f->path,
                   "must name at least one environment (deployments elsewhere make no "
                   "release)");
        } else if (!names.empty()) {
          releases->production_environments = std::move(names);
        }
      }
    }
  }

  void ParseIncidents(const Field& field, IncidentSettings* incidents) {
    Fields fields =
        r_.ReadMap(field.value, field.ValueLine(), field.path, kIncidentKeys, kIncidentHints);
    r_.Read(
        fields.Find("alert_link_before"),
        [](const std::string& text) {
          Parsed<core::Duration> d = ParseDurationText(text);
          if (d.value && (d.value->ms() < 0 || *d.value > kMaxAlertLinkBefore)) {
            return Fail<core::Duration>("must be in [0s, 7d], got " + Shown(text));
          }
          return d;
        },
        &incidents->alert_link_before);
    if (const Field* f = fields.Find("excluded_causes")) {
      std::vector<std::string> names;
      if (ReadNameList(*f, ", e.g. [external, vendor]", &names)) {
        incidents->excluded_causes = std::move(names);
      }
    }
    r_.Read(fields.Find("infer_cause"), ParseBool, &incidents->infer_cause);
    r_.Read(fields.Find("alert_incident_label"), ParseLabelName, &incidents->alert_incident_label);
    r_.Read(fields.Find("alert_service_label"), ParseLabelName, &incidents->alert_service_label);
  }

  static Parsed<bool> ParseBool(const std::string& text) {
    if (text == "true" || text == "True" || text == "TRUE") {
      return Parsed<bool>{true, ""};
    }
    if (text == "false" || text == "False" || text == "FALSE") {
      return Parsed<bool>{false, ""};
    }
    return Fail<bool>("must be true or false, got " + Shown(text));
  }

  // A Prometheus label name, or "" for none.
  static Parsed<std::string> ParseLabelName(const std::string& text) {
    const bool ok = std::all_of(text.begin(), text.end(),
                                [](char c) {
                                  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                         c == '_' || IsDigit(c);
                                }) &&
                    (text.empty() || !IsDigit(text.front()));
    if (!ok) {
      return Fail<std::string>("must be a label name ([a-zA-Z_][a-zA-Z0-9_]*), got " + Shown(text));
    }
    return Parsed<std::string>{text, ""};
  }

  // One name or a list of them (NameProblem rules), distinct ignoring ASCII case. False after
  // an error; a null value reads as no names.
  bool ReadNameList(const Field& field, std::string_view example, std::vector<std::string>* out) {
    std::vector<ListItem> items;
    if (field.value.IsScalar()) {
      items.push_back(ListItem{field.value, field.path});
    } else {
      items = r_.ReadList(field, example);
    }
    bool ok = field.value.IsNull() || field.value.IsScalar() || field.value.IsSequence();
    std::unordered_map<std::string, int> seen;
    for (const ListItem& entry : items) {
      Field item{"", field.key, entry.node, entry.path};
      std::string name;
      if (!r_.Read(&item, NameParser{false}, &name)) {
        ok = false;
        continue;
      }
      if (item.value.IsNull()) {
        continue;
      }
      std::string folded = name;
      std::transform(folded.begin(), folded.end(), folded.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      });
      auto [first, inserted] = seen.try_emplace(folded, item.ValueLine());
      if (!inserted) {
        r_.Error(
            item.ValueLine(), item.path,
            "duplicate " + Quote(name) + " (first at line " + std::to_string(first->second) + ")");
        ok = false;
        continue;
      }
      out->push_back(std::move(name));
    }
    return ok;
  }

  void ParseSlo(const Field& field, Slo* slo) {
    if (field.value.IsNull()) {
      return;  // "slo:" with nothing: no objectives, as when absent.
    }
    Fields fields = r_.ReadMap(field.value, field.ValueLine(), field.path, kSloKeys, kSloHints);
    r_.Read(fields.Find("availability"), ParseFraction, &slo->availability);
    if (const Field* latency = fields.Find("latency")) {
      std::vector<ListItem> items =
          r_.ReadList(*latency, ", e.g. - {threshold: 800ms, target: 99%}");
      std::unordered_map<int64_t, int> threshold_lines;
      for (const ListItem& item : items) {
        const std::string& path = item.path;
        Fields objective =
            r_.ReadMap(item.node, LineOf(item.node), path, kObjectiveKeys, kObjectiveHints);
        if (r_.over_budget()) {
          return;
        }
        if (!item.node.IsMap()) {
          continue;  // Reported by ReadMap.
        }
        const Field* threshold = Require(objective, "threshold", path, " (e.g. threshold: 800ms)");
        const Field* target = Require(objective, "target", path, " (e.g. target: 99%)");
        LatencyObjective o;
        const bool threshold_ok =
            threshold != nullptr && r_.Read(threshold, ParseThreshold, &o.threshold);
        const bool target_ok = target != nullptr && r_.Read(target, ParseFraction, &o.target);
        if (!threshold_ok || !target_ok) {
          continue;
        }
        auto [first, inserted] =
            threshold_lines.try_emplace(o.threshold.us(), threshold->ValueLine());
        if (!inserted) {
          r_.Error(threshold->ValueLine(), threshold->path,
                   "duplicate threshold " + Shown(threshold->value.Scalar()) + " (first at line " +
                       std::to_string(first->second) + ")");
          continue;
        }
        slo->latency.push_back(o);
      }
    }
    const Field* window = fields.Find("window");
    if (r_.Read(window, PositiveDuration, &slo->window) && window != nullptr &&
        !window->value.IsNull() && ctx_.retention_ok && slo->window > ctx_.retention) {
      r_.Error(window->ValueLine(), window->path,
               "must not exceed store.retention (" + Shown(ctx_.retention_text) + "), got " +
                   Shown(window->value.Scalar()));
    }
    if (field.value.IsMap() && !fields.had_errors() && fields.Find("availability") == nullptr &&
        fields.Find("latency") == nullptr) {
      r_.Error(fields.line(), field.path,
               "has no objective; give availability, latency or both (or leave out slo)");
    }
  }

  Reader& r_;
  Context ctx_;
};

// Records where each document starts; ignores everything else.
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::vector<YAML::Mark> marks;
};

Result<Config> ParseChecked(std::string_view yaml_text, std::string_view source_name) {
  Reader reader(source_name);
  YAML::Node root;
  internal::YamlIssue issue;
  if (!internal::LoadSingleDocument(yaml_text, &root, &issue)) {
    reader.Error(issue.line, issue.path, issue.reason);
    return reader.ToStatus();
  }
  Config config = DefaultConfig();
  config.source = std::string(source_name);
  if (root.IsNull()) {
    return config;  // Empty, or only comments.
  }
  // ParseRoot reads the store settings first: the SLO checks compare against them.
  ConfigParser parser(reader);
  parser.ParseRoot(root, &config);
  if (!reader.ok()) {
    return reader.ToStatus();
  }
  return config;
}

}  // namespace

// -----------------------------------------------------------------------------------------
// Shared with mappings.cc (yaml_support.h).

namespace internal {

// `config::` names this file's helpers in the anonymous namespace above.
std::string Quote(std::string_view s) {
  return config::Quote(s);
}

std::string Closest(std::string_view word, std::span<const std::string_view> candidates) {
  return config::Closest(word, candidates);
}

int FindExcessiveNesting(std::string_view text, int max_depth) {
  return config::FindExcessiveNesting(text, max_depth);
}

bool CheckYamlBounds(std::string_view text, YamlIssue* issue) {
  if (text.size() > kMaxYamlBytes) {
    *issue = YamlIssue{0, "",
                       "too large: " + std::to_string(text.size()) + " bytes, the limit is " +
                           std::to_string(kMaxYamlBytes) + " (1 MiB)"};
    return false;
  }
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(nul), '\n');
    *issue = YamlIssue{static_cast<int>(line), "", "contains a NUL byte; is this a text file?"};
    return false;
  }
  if (int line = config::FindExcessiveNesting(text, kMaxYamlNesting); line > 0) {
    *issue =
        YamlIssue{line, "", "nested deeper than " + std::to_string(kMaxYamlNesting) + " levels"};
    return false;
  }
  return true;
}

bool LoadSingleDocument(std::string_view yaml_text, YAML::Node* root, YamlIssue* issue) {
  *root = YAML::Node();
  const std::string text(yaml_text);
  // Checks the syntax and finds a second document first. Not YAML::LoadAll: in yaml-cpp 0.7
  // it loops forever, allocating, on a stray token after a document ("{},", yaml-cpp issue
  // #1040, fixed upstream after 0.7), so read at most two documents here.
  DocumentStarts starts;
  try {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    if (parser.HandleNextDocument(starts)) {
      parser.HandleNextDocument(starts);
    }
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    *issue = YamlIssue{line, "", "YAML syntax error: " + e.msg};
    return false;
  }
  if (starts.marks.empty()) {
    return true;  // Empty, or only comments.
  }
  if (starts.marks.size() > 1) {
    const YAML::Mark& second = starts.marks[1];
    const int line = second.is_null() ? 0 : second.line + 1;
    const auto pos = static_cast<size_t>(std::max(second.pos, 0));
    if (text.compare(pos, 3, "---") == 0) {
      *issue = YamlIssue{line, "", "only one YAML document is allowed (another starts at ---)"};
    } else {
      std::string reason = "YAML syntax error: unexpected ";
      reason += Quote(pos < text.size() ? text.substr(pos, 1) : std::string());
      reason += " after the end of the document";
      *issue = YamlIssue{line, "", std::move(reason)};
    }
    return false;
  }
  try {
    *root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    *issue = YamlIssue{line, "", "YAML error: " + e.msg};
    return false;
  }
  return true;
}

}  // namespace internal

// -----------------------------------------------------------------------------------------
// Public API.

const SourceMappings* Config::FindMappings(std::string_view source_name,
                                           model::RecordKind kind) const {
  for (const SourceMappings& m : mappings) {
    if (m.source == source_name && m.kind == kind) {
      return &m;
    }
  }
  return nullptr;
}

const Service* Config::FindService(std::string_view name) const {
  for (const Service& s : services) {
    if (s.name == name) {
      return &s;
    }
  }
  return nullptr;
}

std::vector<core::LatencyUs> Config::LatencyThresholds(std::string_view service) const {
  std::vector<core::LatencyUs> out;
  const Service* s = FindService(service);
  if (s == nullptr) {
    return out;
  }
  for (const Journey& j : s->journeys) {
    for (const LatencyObjective& o : j.slo.latency) {
      out.push_back(o.threshold);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status ValidateRoutePattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    return InvalidArgumentError("route must start with '/', got " + Quote(pattern));
  }
  for (char ch : pattern) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f) {
      return InvalidArgumentError("route must not contain spaces or control characters: " +
                                  Quote(pattern));
    }
    if (ch == '?' || ch == '#') {
      return InvalidArgumentError(
          "route must not contain a query or fragment ('?', '#'); requests match on the path "
          "alone: " +
          Quote(pattern));
    }
  }
  if (pattern == "/") {
    return OkStatus();
  }
  std::string_view rest = pattern.substr(1);
  while (true) {
    const size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    if (segment.empty()) {
      return InvalidArgumentError(
          std::string(last ? "route must not end with '/' (a trailing slash is ignored when "
                             "matching): "
                           : "route has an empty segment ('//'): ") +
          Quote(pattern));
    }
    if (segment == "**") {
      if (!last) {
        return InvalidArgumentError("'**' must be the last segment of a route: " + Quote(pattern));
      }
    } else if (segment == "*") {
      // One segment.
    } else if (segment.front() == ':') {
      if (segment.size() == 1) {
        return InvalidArgumentError("':' needs a parameter name, e.g. /users/:id: " +
                                    Quote(pattern));
      }
      if (segment.find_first_of("{}*") != std::string_view::npos) {
        return InvalidArgumentError("parameter " + Quote(segment) +
                                    " may not contain '{', '}' or '*': " + Quote(pattern));
      }
    } else if (segment.front() == '{') {
      if (segment.size() < 3 || segment.back() != '}' ||
          segment.substr(1, segment.size() - 2).find_first_of("{}") != std::string_view::npos) {
        return InvalidArgumentError("a parameter in braces must be a whole segment, e.g. {id}: " +
                                    Quote(pattern));
      }
    } else if (segment.find_first_of("{}") != std::string_view::npos) {
      return InvalidArgumentError("a parameter in braces must be a whole segment, e.g. {id}: " +
                                  Quote(pattern));
    } else if (segment.find('*') != std::string_view::npos) {
      return InvalidArgumentError("'*' and '**' must be whole segments: " + Quote(pattern));
    }
    if (last) {
      return OkStatus();
    }
    rest = rest.substr(slash + 1);
  }
}

Result<Config> ParseConfig(std::string_view yaml_text, std::string_view source_name) {
  Reader reader(source_name);
  if (internal::YamlIssue issue; !internal::CheckYamlBounds(yaml_text, &issue)) {
    reader.Error(issue.line, issue.path, issue.reason);
    return reader.ToStatus();
  }
  try {
    return ParseChecked(yaml_text, source_name);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    reader.Error(line, "", "YAML error: " + e.msg);
    return reader.ToStatus();
  } catch (const std::exception& e) {
    return InternalError(reader.Locate(0) + "reading YAML: " + e.what());
  }
}

Result<Config> LoadConfig(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return FailedPreconditionError(path + ": cannot read: " + ec.message());
    }
    return NotFoundError(path + ": no such file");
  }
  if (std::filesystem::is_directory(status)) {
    return FailedPreconditionError(path + ": is a directory, not a config file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return FailedPreconditionError(path + ": cannot open: " + std::strerror(errno));
  }
  std::string text;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      return InvalidArgumentError(path + ": too large: more than " +
                                  std::to_string(kMaxConfigBytes) + " bytes (1 MiB)");
    }
  }
  if (in.bad()) {
    return FailedPreconditionError(path + ": read error");
  }
  return ParseConfig(text, path);
}

Config DefaultConfig() {
  return Config{};
}

std::string InitConfigText() {
  return R"(# vigil.yaml: the configuration of vigil. Reference: docs/configuration.md.
# Every setting below shows its default; change what you need, delete what you don't.
# Durations: 90s, 5m, 12h, 28d, 4w (units ms s m h d w). Ratios: 0.999 or 99.9%.

store:
  # Where data is kept. "" = ./vigil.db in the current directory; or a file path,
  # sqlite:///var/lib/vigil/vigil.db, postgres://vigil@db.example.com/vigil.
  url: ""
  # Relative error of latency percentiles (0.01 = 1%). Fixed when the store is created.
  sketch_relative_accuracy: 0.01
  # How long the per-minute request counts are kept (error budgets, trends, onsets).
  retention: 400d
  # Latency sketches older than this are merged from 1-minute into 1-hour buckets.
  sketch_downsample_after: 8d

ingest:
  # Requests may arrive this much out of order and still land in a minute not yet
  # written; later ones are merged into the written minute and counted as late.
  reorder_horizon: 5m
  # Automatic routes kept per service for requests no journey matches (numeric, UUID
  # and hex segments become :id); requests past the cap are counted under "other".
  route_cap: 500

# The service for input that names none, such as an nginx access log. "" = none.
default_service: ""

# Services and their critical journeys. A request belongs to the first journey, in file
# order, whose methods and route match: ":id", "{id}" and "*" match one path segment, "**"
# the rest of the path. Uncomment the example and make it yours.
services: []
# services:
#   - name: web                     # as your telemetry names it (OTLP service.name)
#     environment: production       # optional
#     journeys:
#       - name: checkout
#         methods: [POST]           # optional; leave out to match any method
#         route: /api/checkout/**
#         slo:
#           availability: 99.9%     # at most 0.1% of requests may fail (5xx)
#           latency:
#             - { threshold: 800ms, target: 99% }   # 99% take at most 800 ms
#           window: 28d             # the rolling window of the error budget
#       - name: product-page
#         methods: [GET, HEAD]
#         route: /products/:id
#         slo:
#           latency:
#             - { threshold: 300ms, target: 95% }
#             - { threshold: 1s, target: 99.9% }

# Feature areas for coverage and incidents: a file belongs to the first area, in file order,
# with a matching path pattern (gitignore-style, as in CODEOWNERS: docs/ownership.md).
areas: []
# areas:
#   - name: checkout
#     paths: [services/checkout/, web/src/cart/**]
#   - name: catalog
#     paths: ["services/catalog/**/*.go"]

# Teams come from CODEOWNERS. "" = the first of .github/CODEOWNERS, CODEOWNERS and
# docs/CODEOWNERS next to this file. syntax: github, or gitlab for GitLab's sections.
ownership:
  codeowners: ""
  syntax: github

# When a release fails: a rollback or a hotfix for it within failure_window of its deploy.
releases:
  failure_window: 48h
  # true: any patch release of the same service inside the window counts as a hotfix too.
  patch_is_hotfix: false
  # Deployments to these environments are production deployments (they make releases).
  production_environments: [production, prod]

incidents:
  # An alert on an incident's service that starts up to this long before the incident's
  # own detection time links to it.
  alert_link_before: 30m
  # Incidents with one of these causes are shown as excluded instead of counting as escapes.
  excluded_causes: []
  # true: an incident that names no causing release gets the one live when it was detected.
  infer_cause: false
  # The Alertmanager labels that name an alert's incident and its service.
  alert_incident_label: incident
  alert_service_label: service

# How the fields of tool exports (PagerDuty, Jira, GitHub, Alertmanager) become vigil's record
# fields. Each adapter has built-in defaults; a field you map replaces its default rules.
# Reference: docs/mappings.md.
mappings: {}
# mappings:
#   pagerduty:
#     incidents:
#       service:
#         from: service.summary
#         values: {"Checkout API": checkout}
)";
}

}  // namespace vigil::config
