// The XML coverage parsers of coverage.h: Cobertura (gcovr, coverage.py, istanbul, Java
// Cobertura) and JaCoCo. Both read the whole report into a pugixml DOM (one copy of the bytes,
// parsed without DTD processing: entity references other than the five predefined ones and
// character references stay literal text, nothing is ever fetched), then walk it once. The
// exact rules are in docs/coverage.md.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "vigil/core/text.h"
#include "vigil/ingest/coverage.h"

namespace vigil::ingest {
namespace {

// Escapes and CDATA are decoded (a filename may hold "&amp;"); no end-of-line or attribute
// whitespace normalisation (nothing read here needs it); DOCTYPE, comments and processing
// instructions are skipped, never interpreted.
constexpr unsigned kParseOptions = pugi::parse_escapes | pugi::parse_cdata;

// Epoch values below this are seconds, at or above it milliseconds: 1e11 s is the year 5138,
// 1e11 ms is 1973-03-03, so no real report of either unit falls on the wrong side.
constexpr uint64_t kSecondsBelow = 100'000'000'000;

// 1-based line numbers of byte offsets into one document. Amortised O(1) for offsets that
// grow (the walks below visit elements in document order); restarts from 0 when one does not.
class LineCounter {
 public:
  explicit LineCounter(std::string_view text) : text_(text) {}

  int64_t LineAt(ptrdiff_t offset) {
    if (offset < 0) {
      return 0;
    }
    size_t target = std::min(static_cast<size_t>(offset), text_.size());
    if (target < pos_) {
      pos_ = 0;
      line_ = 1;
    }
    const char* p = text_.data() + pos_;
    const char* end = text_.data() + target;
    while (p < end) {
      const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
      if (nl == nullptr) {
        break;
      }
      ++line_;
      p = static_cast<const char*>(nl) + 1;
    }
    pos_ = target;
    return line_;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

enum class NumberError { kNone, kMissing, kNegative, kNotNumber, kTooLarge };

// A non-negative decimal integer (ASCII digits only, no sign, no spaces) up to `max`.
NumberError ParseUnsigned(const char* s, uint64_t max, uint64_t* out) {
  if (*s == '\0') {
    return NumberError::kMissing;
  }
  if (*s == '-') {
    return core::AllDigits(s + 1) ? NumberError::kNegative : NumberError::kNotNumber;
  }
  uint64_t v = 0;
  for (; *s != '\0'; ++s) {
    if (!core::IsDigit(*s)) {
      return NumberError::kNotNumber;
    }
    const auto d = static_cast<uint64_t>(*s - '0');
    if (v > (max - d) / 10) {
      // Keep scanning: "12x" with an overflowing prefix is still "not a number".
      for (++s; *s != '\0'; ++s) {
        if (!core::IsDigit(*s)) {
          return NumberError::kNotNumber;
        }
      }
      return NumberError::kTooLarge;
    }
    v = v * 10 + d;
  }
  *out = v;
  return NumberError::kNone;
}

// "<what> <quoted value> <why>", for an attribute that failed ParseUnsigned.
std::string NumberProblem(std::string_view what, const char* value, NumberError e) {
  std::string quoted = core::QuoteForMessage(value);
  switch (e) {
    case NumberError::kMissing:
      return std::string(what) + " is missing";
    case NumberError::kNegative:
      return std::string(what) + " " + quoted + " is negative";
    case NumberError::kNotNumber:
      return std::string(what) + " " + quoted + " is not a whole number";
    case NumberError::kTooLarge:
      return std::string(what) + " " + quoted + " is out of range";
    case NumberError::kNone:
      break;
  }
  return std::string(what);
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  if (a > std::numeric_limits<int64_t>::max() - b) {
    return std::numeric_limits<int64_t>::max();
  }
  return a + b;
}

// `name` (NUL-terminated, from pugixml) equals the literal `want`. Stops at the first
// difference, so it never reads past a shorter name's terminator; cheaper than strcmp through
// a call for the short names compared once per element and attribute.
template <size_t N>
bool Is(const char* name, const char (&want)[N]) {
  for (size_t i = 0; i < N; ++i) {
    if (name[i] != want[i]) {
      return false;
    }
  }
  return true;
}

// Leading and trailing XML whitespace removed.
std::string_view TrimXmlSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// Shared by both parsers: the document, its line numbers and the issue list.
class XmlReport {
 public:
  explicit XmlReport(std::string_view content) : content_(content), lines_(content) {}

  // Parses the document and checks its single root element is `root`. Errors: UTF-16/32
  // input, a document that is not well-formed, no or several root elements, another root.
  Status Load(const char* root, std::string_view format_name) {
    if (content_.empty()) {
      return NoRootError();  // also keeps a null data() away from pugixml
    }
    if (content_.starts_with("\xFF\xFE") || content_.starts_with("\xFE\xFF")) {
      return InvalidArgumentError("line 1: the report is UTF-16 or UTF-32 encoded; " +
                                  std::string(format_name) + " reports are read as UTF-8");
    }
    const pugi::xml_parse_result r =
        doc_.load_buffer(content_.data(), content_.size(), kParseOptions, pugi::encoding_utf8);
    if (r.status == pugi::status_no_document_element) {
      return NoRootError();
    }
    if (!r) {
      return InvalidArgumentError("line " + std::to_string(lines_.LineAt(r.offset)) +
                                  ": not well-formed XML: " + r.description() + " (byte " +
                                  std::to_string(r.offset) + ")");
    }
    pugi::xml_node first;
    for (pugi::xml_node n = doc_.first_child(); n; n = n.next_sibling()) {
      if (n.type() != pugi::node_element) {
        continue;
      }
      if (first) {
        return InvalidArgumentError("line " + std::to_string(LineOf(n)) +
                                    ": a second root element <" + n.name() +
                                    "> (concatenated reports?); an XML document has one");
      }
      first = n;
    }
    if (!first) {
      return NoRootError();
    }
    if (std::strcmp(first.name(), root) != 0) {
      return InvalidArgumentError("line " + std::to_string(LineOf(first)) + ": root element <" +
                                  first.name() + "> is not <" + root + ">: not a " +
                                  std::string(format_name) + " report");
    }
    root_ = first;
    return OkStatus();
  }

  pugi::xml_node root() const { return root_; }

  int64_t LineOf(pugi::xml_node n) { return lines_.LineAt(n.offset_debug()); }

  // Records a skipped record: the element's line, and the reason with its byte offset (the
  // line alone says little in a one-line report).
  void Issue(pugi::xml_node n, std::string reason) {
    const ptrdiff_t offset = n.offset_debug();
    reason += " (byte " + std::to_string(offset > 0 ? offset - 1 : offset) + ")";
    AddCoverageIssue(&issues_, &issue_count_, LineOf(n), std::move(reason));
  }

  std::vector<CoverageIssue> TakeIssues() { return std::move(issues_); }
  int64_t issue_count() const { return issue_count_; }

 private:
  // No element at all (empty, only whitespace or comments, or plain text): the line of the
  // first byte that is not whitespace, where a root element was expected.
  Status NoRootError() {
    const size_t first = content_.find_first_not_of(" \t\r\n");
    const int64_t line =
        first == std::string_view::npos ? 1 : lines_.LineAt(static_cast<ptrdiff_t>(first));
    return InvalidArgumentError("line " + std::to_string(line) +
                                ": not an XML document: no root element");
  }

  std::string_view content_;
  LineCounter lines_;
  pugi::xml_document doc_;
  pugi::xml_node root_;
  std::vector<CoverageIssue> issues_;
  int64_t issue_count_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Cobertura

struct CoberturaLine {
  uint64_t hits = 0;
  uint32_t line = 0;
  uint32_t branches_covered = 0;
  uint32_t branches_total = 0;
  bool has_branches = false;
};

struct CoberturaFile {
  std::string_view path;  // into the DOM
  std::vector<CoberturaLine> lines;
  bool partial = false;
};

// condition-coverage "50% (1/2)" → covered 1, total 2: the "(" then digits "/" digits ")".
struct ConditionCoverage {
  uint32_t covered = 0;
  uint32_t total = 0;
  const char* problem = nullptr;  // why it could not be read; null when it was
};

ConditionCoverage ParseConditionCoverage(std::string_view s) {
  ConditionCoverage cc;
  const size_t open = s.find('(');
  if (open == std::string_view::npos) {
    cc.problem = "has no \"(covered/total)\"";
    return cc;
  }
  s.remove_prefix(open + 1);
  auto number = [&s](uint32_t* out) {
    uint64_t v = 0;
    size_t i = 0;
    while (i < s.size() && core::IsDigit(s[i])) {
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > std::numeric_limits<uint32_t>::max()) {
        return false;
      }
      ++i;
    }
    s.remove_prefix(i);
    *out = static_cast<uint32_t>(v);
    return i > 0;
  };
  if (!number(&cc.covered) || !s.starts_with('/')) {
    cc.problem = "has no \"(covered/total)\"";
    return cc;
  }
  s.remove_prefix(1);
  if (!number(&cc.total) || !s.starts_with(')')) {
    cc.problem = "has no \"(covered/total)\"";
  } else if (cc.covered > cc.total) {
    cc.problem = "covers more branches than there are";
  }
  return cc;
}

// One class/lines/line element into `out`; false (with an issue) when it is malformed.
bool ReadCoberturaLine(XmlReport& report, pugi::xml_node line, CoberturaLine* out) {
  const char* number = "";
  const char* hits = "";
  const char* branch = "";
  const char* condition = nullptr;
  for (pugi::xml_attribute a = line.first_attribute(); a; a = a.next_attribute()) {
    const char* name = a.name();
    if (Is(name, "number")) {
      number = a.value();
    } else if (Is(name, "hits")) {
      hits = a.value();
    } else if (Is(name, "branch")) {
      branch = a.value();
    } else if (Is(name, "condition-coverage")) {
      condition = a.value();
    }
  }
  uint64_t v = 0;
  NumberError e = ParseUnsigned(number, std::numeric_limits<uint32_t>::max(), &v);
  if (e == NumberError::kNone && v == 0) {
    e = NumberError::kNotNumber;
  }
  if (e != NumberError::kNone) {
    report.Issue(line, e == NumberError::kMissing
                           ? std::string("<line> without a number attribute; skipped")
                           : "<line> number " + core::QuoteForMessage(number) +
                                 " is not a line number (1 to 4294967295); skipped");
    return false;
  }
  out->line = static_cast<uint32_t>(v);
  // Built only for an issue: this function runs once per line of the report.
  auto where = [out] { return "<line number=\"" + std::to_string(out->line) + "\"> "; };
  e = ParseUnsigned(hits, std::numeric_limits<uint64_t>::max(), &out->hits);
  if (e != NumberError::kNone) {
    report.Issue(line, where() + NumberProblem("hits", hits, e) + "; skipped");
    return false;
  }
  out->has_branches = core::EqualsIgnoreCase(branch, "true");
  if (out->has_branches) {
    if (condition == nullptr) {
      report.Issue(line,
                   where() + "has branch=\"true\" but condition-coverage is missing; skipped");
      return false;
    }
    const ConditionCoverage cc = ParseConditionCoverage(condition);
    if (cc.problem != nullptr) {
      report.Issue(line, where() + "condition-coverage " + core::QuoteForMessage(condition) + " " +
                             cc.problem + "; skipped");
      return false;
    }
    out->branches_covered = cc.covered;
    out->branches_total = cc.total;
  }
  return true;
}

std::optional<core::Timestamp> CoberturaTimestamp(XmlReport& report) {
  pugi::xml_attribute a = report.root().attribute("timestamp");
  if (!a || a.value()[0] == '\0') {
    return std::nullopt;
  }
  uint64_t v = 0;
  const NumberError e = ParseUnsigned(a.value(), std::numeric_limits<int64_t>::max(), &v);
  if (e != NumberError::kNone) {
    report.Issue(report.root(),
                 "<coverage> " + NumberProblem("timestamp", a.value(), e) + "; no report time");
    return std::nullopt;
  }
  if (v == 0) {
    return std::nullopt;  // "unknown" (a reproducible build's SOURCE_DATE_EPOCH=0)
  }
  if (v < kSecondsBelow) {
    return core::Timestamp::FromUnixSeconds(static_cast<int64_t>(v));
  }
  return core::Timestamp::FromUnixMillis(static_cast<int64_t>(v));
}

// Sorts a file's lines and merges repeats: max(hits); of the branch data, the one with the
// largest total, then the largest covered count.
ParsedFileCoverage FinishCoberturaFile(CoberturaFile& acc) {
  std::vector<CoberturaLine>& lines = acc.lines;
  auto by_line = [](const CoberturaLine& a, const CoberturaLine& b) { return a.line < b.line; };
  if (!std::is_sorted(lines.begin(), lines.end(), by_line)) {
    std::stable_sort(lines.begin(), lines.end(), by_line);
  }
  ParsedFileCoverage out;
  out.path = std::string(acc.path);
  out.partial = acc.partial;
  out.lines.reserve(lines.size());
  int64_t branches_found = 0;
  int64_t branches_hit = 0;
  bool any_branches = false;
  size_t i = 0;
  while (i < lines.size()) {
    CoberturaLine merged = lines[i];
    size_t j = i + 1;
    for (; j < lines.size() && lines[j].line == merged.line; ++j) {
      const CoberturaLine& r = lines[j];
      merged.hits = std::max(merged.hits, r.hits);
      if (r.has_branches && (!merged.has_branches || r.branches_total > merged.branches_total ||
                             (r.branches_total == merged.branches_total &&
                              r.branches_covered > merged.branches_covered))) {
        merged.has_branches = true;
        merged.branches_total = r.branches_total;
        merged.branches_covered = r.branches_covered;
      }
    }
    out.lines.push_back(CoverageLine{merged.line, merged.hits});
    if (merged.hits > 0) {
      ++out.lines_hit;
    }
    if (merged.has_branches) {
      any_branches = true;
      branches_found += merged.branches_total;
      branches_hit += merged.branches_covered;
    }
    i = j;
  }
  out.lines_found = static_cast<int64_t>(out.lines.size());
  if (any_branches) {
    out.branches_found = branches_found;
    out.branches_hit = branches_hit;
  }
  return out;
}

// Files sorted by path (paths are distinct: both parsers merge by path first).
void SortFiles(std::vector<ParsedFileCoverage>& files) {
  std::sort(
      files.begin(), files.end(),
      [](const ParsedFileCoverage& a, const ParsedFileCoverage& b) { return a.path < b.path; });
}

}  // namespace

Result<ParsedCoverage> ParseCobertura(std::string_view content) {
  XmlReport report(content);
  VIGIL_RETURN_IF_ERROR(report.Load("coverage", "Cobertura"));
  ParsedCoverage parsed;
  parsed.format = CoverageFormat::kCobertura;
  parsed.timestamp = CoberturaTimestamp(report);

  std::vector<CoberturaFile> files;
  std::unordered_map<std::string_view, size_t> file_index;
  for (pugi::xml_node section = report.root().first_child(); section;
       section = section.next_sibling()) {
    if (Is(section.name(), "sources")) {
      for (pugi::xml_node source = section.child("source"); source;
           source = source.next_sibling("source")) {
        std::string_view root = TrimXmlSpace(source.child_value());
        if (!root.empty()) {
          parsed.source_roots.emplace_back(root);
        }
      }
      continue;
    }
    if (!Is(section.name(), "packages")) {
      continue;
    }
    for (pugi::xml_node package = section.child("package"); package;
         package = package.next_sibling("package")) {
      for (pugi::xml_node classes = package.child("classes"); classes;
           classes = classes.next_sibling("classes")) {
        for (pugi::xml_node cls = classes.child("class"); cls; cls = cls.next_sibling("class")) {
          const std::string_view filename = cls.attribute("filename").value();
          if (filename.empty()) {
            report.Issue(cls,
                         "<class name=" + core::QuoteForMessage(cls.attribute("name").value()) +
                             "> without a filename; its lines are skipped");
            continue;
          }
          auto [it, inserted] = file_index.try_emplace(filename, files.size());
          if (inserted) {
            files.push_back(CoberturaFile{filename, {}, false});
          }
          CoberturaFile& file = files[it->second];
          for (pugi::xml_node lines = cls.child("lines"); lines;
               lines = lines.next_sibling("lines")) {
            for (pugi::xml_node line = lines.first_child(); line; line = line.next_sibling()) {
              if (!Is(line.name(), "line")) {
                continue;
              }
              CoberturaLine rec;
              if (ReadCoberturaLine(report, line, &rec)) {
                file.lines.push_back(rec);
              } else {
                file.partial = true;
              }
            }
          }
        }
      }
    }
  }
  parsed.files.reserve(files.size());
  for (CoberturaFile& file : files) {
    parsed.files.push_back(FinishCoberturaFile(file));
  }
  SortFiles(parsed.files);
  parsed.issue_count = report.issue_count();
  parsed.issues = report.TakeIssues();
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// JaCoCo

namespace {

struct JacocoCounter {
  int64_t missed = 0;
  int64_t covered = 0;
};

struct JacocoFile {
  std::string path;
  std::vector<CoverageLine> lines;
  int64_t lines_found = 0;
  int64_t lines_hit = 0;
  std::optional<int64_t> branches_found;
  std::optional<int64_t> branches_hit;
  bool partial = false;
};

// Counts are Java ints in JaCoCo; anything past 2^62 is not a real report and would overflow
// the sums below.
constexpr uint64_t kMaxJacocoCount = uint64_t{1} << 62;

// The attribute values of one <line> or <counter>, 0 where absent (report.dtd's default).
// Returns the index of the first attribute that is not a whole number, or -1.
template <size_t N>
int ReadCounts(pugi::xml_node n, const std::array<const char*, N>& names,
               std::array<uint64_t, N>& out, NumberError* error, const char** bad_value) {
  out.fill(0);
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
    const char* name = a.name();
    for (size_t i = 0; i < N; ++i) {
      if (name[0] != names[i][0] || std::strcmp(name, names[i]) != 0) {
        continue;
      }
      const NumberError e = ParseUnsigned(a.value(), kMaxJacocoCount, &out[i]);
      if (e != NumberError::kNone) {
        *error = e == NumberError::kMissing ? NumberError::kNotNumber : e;  // nr=""
        *bad_value = a.value();
        return static_cast<int>(i);
      }
      break;
    }
  }
  return -1;
}

// One <sourcefile> of package `package` merged into `files`.
void ReadSourcefile(XmlReport& report, pugi::xml_node sourcefile, std::string_view package,
                    std::vector<JacocoFile>& files,
                    std::unordered_map<std::string, size_t>& file_index) {
  const std::string_view name = sourcefile.attribute("name").value();
  if (name.empty()) {
    report.Issue(sourcefile, "<sourcefile> without a name in package " +
                                 core::QuoteForMessage(package) + "; skipped");
    return;
  }
  std::string path;
  if (!package.empty()) {
    path.reserve(package.size() + 1 + name.size());
    path.append(package);
    path.push_back('/');
  }
  path.append(name);

  // One <sourcefile>'s own numbers, before merging with a same-path one from another group.
  std::vector<CoverageLine> lines;
  int64_t line_branches = 0;
  int64_t line_branches_covered = 0;
  std::optional<JacocoCounter> line_counter;
  std::optional<JacocoCounter> branch_counter;
  bool partial = false;
  // Built only for an issue: the loop below runs once per line of the report.
  auto where = [&path](std::string_view element) {
    return std::string(element) + " in " + core::QuoteForMessage(path, 200) + " ";
  };

  static constexpr std::array<const char*, 5> kLineAttrs = {"nr", "mi", "ci", "mb", "cb"};
  static constexpr std::array<const char*, 2> kCounterAttrs = {"missed", "covered"};
  for (pugi::xml_node n = sourcefile.first_child(); n; n = n.next_sibling()) {
    const char* element = n.name();
    NumberError error = NumberError::kNone;
    const char* bad_value = "";
    if (Is(element, "line")) {
      std::array<uint64_t, 5> v{};
      const int bad = ReadCounts(n, kLineAttrs, v, &error, &bad_value);
      if (bad >= 0) {
        report.Issue(n, where("<line>") +
                            NumberProblem(kLineAttrs[static_cast<size_t>(bad)], bad_value, error) +
                            "; skipped");
        partial = true;
        continue;
      }
      if (v[0] == 0 || v[0] > std::numeric_limits<uint32_t>::max()) {
        const pugi::xml_attribute nr = n.attribute("nr");
        report.Issue(n, where("<line>") +
                            (nr ? "nr " + core::QuoteForMessage(nr.value()) +
                                      " is not a line number (1 to 4294967295)"
                                : std::string("without an nr attribute")) +
                            "; skipped");
        partial = true;
        continue;
      }
      const bool hit = v[2] > 0;
      lines.push_back(CoverageLine{static_cast<uint32_t>(v[0]), hit ? 1u : 0u});
      line_branches = SaturatingAdd(line_branches, static_cast<int64_t>(v[3] + v[4]));
      line_branches_covered = SaturatingAdd(line_branches_covered, static_cast<int64_t>(v[4]));
    } else if (Is(element, "counter")) {
      const char* type = n.attribute("type").value();
      const bool is_line = Is(type, "LINE");
      if (!is_line && !Is(type, "BRANCH")) {
        continue;  // INSTRUCTION, COMPLEXITY, METHOD, CLASS: not read
      }
      std::array<uint64_t, 2> v{};
      const int bad = ReadCounts(n, kCounterAttrs, v, &error, &bad_value);
      if (bad >= 0) {
        report.Issue(n,
                     where(std::string("<counter type=\"") + type + "\">") +
                         NumberProblem(kCounterAttrs[static_cast<size_t>(bad)], bad_value, error) +
                         "; skipped");
        partial = true;
        continue;
      }
      (is_line ? line_counter : branch_counter) =
          JacocoCounter{static_cast<int64_t>(v[0]), static_cast<int64_t>(v[1])};
    }
  }

  // Lines sorted (JaCoCo writes them so), a repeated nr merged (hit if any repeat is hit).
  auto line_then_hit_first = [](const CoverageLine& a, const CoverageLine& b) {
    return a.line < b.line || (a.line == b.line && a.hits > b.hits);
  };
  if (!std::is_sorted(lines.begin(), lines.end(), line_then_hit_first)) {
    std::sort(lines.begin(), lines.end(), line_then_hit_first);
  }
  lines.erase(
      std::unique(lines.begin(), lines.end(),
                  [](const CoverageLine& a, const CoverageLine& b) { return a.line == b.line; }),
      lines.end());
  int64_t found = 0;
  int64_t hit = 0;
  if (line_counter) {
    found = line_counter->missed + line_counter->covered;
    hit = line_counter->covered;
  } else {
    // No LINE counter: JaCoCo writes none when the total is 0 (an interface), and computes it
    // from the lines exactly so; recount a repeated nr once.
    found = static_cast<int64_t>(lines.size());
    hit = static_cast<int64_t>(std::count_if(lines.begin(), lines.end(),
                                             [](const CoverageLine& l) { return l.hits > 0; }));
  }
  std::optional<int64_t> branches_found;
  std::optional<int64_t> branches_hit;
  if (branch_counter) {
    branches_found = branch_counter->missed + branch_counter->covered;
    branches_hit = branch_counter->covered;
  } else if (line_branches > 0) {
    branches_found = line_branches;
    branches_hit = line_branches_covered;
  }

  auto [it, inserted] = file_index.try_emplace(path, files.size());
  if (inserted) {
    files.push_back(JacocoFile{std::move(path), std::move(lines), found, hit, branches_found,
                               branches_hit, partial});
    return;
  }
  // The same package and file name in two groups (modules): two source files vigil cannot
  // tell apart by path. Their counters are added, their lines merged (hit if either is).
  JacocoFile& f = files[it->second];
  f.lines_found = SaturatingAdd(f.lines_found, found);
  f.lines_hit = SaturatingAdd(f.lines_hit, hit);
  if (branches_found) {
    f.branches_found = SaturatingAdd(f.branches_found.value_or(0), *branches_found);
    f.branches_hit = SaturatingAdd(f.branches_hit.value_or(0), *branches_hit);
  }
  f.partial = f.partial || partial;
  std::vector<CoverageLine> merged;
  merged.reserve(f.lines.size() + lines.size());
  std::merge(f.lines.begin(), f.lines.end(), lines.begin(), lines.end(), std::back_inserter(merged),
             [](const CoverageLine& a, const CoverageLine& b) {
               return a.line < b.line || (a.line == b.line && a.hits > b.hits);
             });
  merged.erase(
      std::unique(merged.begin(), merged.end(),
                  [](const CoverageLine& a, const CoverageLine& b) { return a.line == b.line; }),
      merged.end());
  f.lines = std::move(merged);
}

}  // namespace

Result<ParsedCoverage> ParseJacoco(std::string_view content) {
  XmlReport report(content);
  VIGIL_RETURN_IF_ERROR(report.Load("report", "JaCoCo"));
  ParsedCoverage parsed;
  parsed.format = CoverageFormat::kJacoco;

  std::vector<JacocoFile> files;
  std::unordered_map<std::string, size_t> file_index;
  // Groups nest to any depth (multi-module reports): walked without recursion, so a deeply
  // nested document cannot exhaust the stack.
  const pugi::xml_node root = report.root();
  pugi::xml_node container = root;
  pugi::xml_node n = root.first_child();
  while (true) {
    if (!n) {
      if (container == root) {
        break;
      }
      n = container.next_sibling();
      container = container.parent();
      continue;
    }
    const char* element = n.name();
    if (Is(element, "group")) {
      container = n;
      n = n.first_child();
      continue;
    }
    if (Is(element, "package")) {
      const std::string_view package = n.attribute("name").value();
      for (pugi::xml_node sf = n.child("sourcefile"); sf; sf = sf.next_sibling("sourcefile")) {
        ReadSourcefile(report, sf, package, files, file_index);
      }
    } else if (container == root && Is(element, "sessioninfo")) {
      const char* dump = n.attribute("dump").value();
      uint64_t v = 0;
      const NumberError e = ParseUnsigned(dump, std::numeric_limits<int64_t>::max(), &v);
      if (e != NumberError::kNone) {
        report.Issue(n, "<sessioninfo> " + NumberProblem("dump", dump, e) + "; ignored");
      } else if (!parsed.timestamp || parsed.timestamp->unix_ms() < static_cast<int64_t>(v)) {
        parsed.timestamp = core::Timestamp::FromUnixMillis(static_cast<int64_t>(v));
      }
    }
    n = n.next_sibling();
  }

  parsed.files.reserve(files.size());
  for (JacocoFile& f : files) {
    parsed.files.push_back(ParsedFileCoverage{std::move(f.path), std::move(f.lines), f.lines_found,
                                              f.lines_hit, f.branches_found, f.branches_hit,
                                              f.partial});
  }
  SortFiles(parsed.files);
  parsed.issue_count = report.issue_count();
  parsed.issues = report.TakeIssues();
  return parsed;
}

}  // namespace vigil::ingest
