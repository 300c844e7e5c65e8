// The LCOV tracefile parser (ParseLcov in coverage.h): lcov 1.x (including raw
// `lcov --capture` output with no summary lines and one SF section per object file), lcov 2.x
// records, istanbul/c8 output. The rules are in docs/coverage.md ("LCOV tracefile").
//
// Speed matters (reports of hundreds of MB): one pass over the bytes with memchr, no per-line
// allocation, per-file line and branch tables as flat vectors kept sorted run by run (a repeated
// SF section is merged into its file when the section ends), files found by path through a hash
// map of views into the input.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vigil/core/text.h"
#include "vigil/ingest/coverage.h"
#include "vigil/ingest/coverage_counts.h"

namespace vigil::ingest {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Line numbers are 1-based and fit a uint32 (CoverageLine::line).
enum class LineNumber { kOk, kNotNumber, kZero, kTooLarge };

LineNumber ParseLineNumber(std::string_view s, uint32_t* out) {
  uint64_t v = 0;
  if (!ParseCount(s, &v)) {
    return LineNumber::kNotNumber;
  }
  if (v == 0) {
    return LineNumber::kZero;
  }
  if (v > std::numeric_limits<uint32_t>::max()) {
    return LineNumber::kTooLarge;
  }
  *out = static_cast<uint32_t>(v);
  return LineNumber::kOk;
}

// Line entries are the output's CoverageLine, so a file's table moves into the result.
using LineEntry = CoverageLine;

// A BRDA edge: (line, block, branch) identify it; `taken` sums its counts.
struct BranchEntry {
  uint32_t line;
  uint64_t block;
  uint64_t branch;
  uint64_t taken;
};

bool LineLess(const LineEntry& a, const LineEntry& b) {
  return a.line < b.line;
}
bool LineSame(const LineEntry& a, const LineEntry& b) {
  return a.line == b.line;
}
void LineAdd(LineEntry* into, const LineEntry& from) {
  into->hits = SaturatingAdd(into->hits, from.hits);
}
bool BranchLess(const BranchEntry& a, const BranchEntry& b) {
  if (a.line != b.line) {
    return a.line < b.line;
  }
  if (a.block != b.block) {
    return a.block < b.block;
  }
  return a.branch < b.branch;
}
bool BranchSame(const BranchEntry& a, const BranchEntry& b) {
  return a.line == b.line && a.block == b.block && a.branch == b.branch;
}
void BranchAdd(BranchEntry* into, const BranchEntry& from) {
  into->taken = SaturatingAdd(into->taken, from.taken);
}

// A vector kept as one sorted, key-unique prefix [0, run_start) plus the run appended by the
// open section. Finishing the run sorts it (only if it arrived out of order), merges equal keys
// by summing, then merges it into the prefix. Input in key order (what lcov writes) costs one
// comparison per record; a repeated SF section costs one linear merge.
template <typename Entry, bool (*Less)(const Entry&, const Entry&),
          bool (*Same)(const Entry&, const Entry&), void (*Add)(Entry*, const Entry&)>
class SortedTable {
 public:
  void Append(const Entry& e) {
    if (entries_.size() > run_start_ && !Less(entries_.back(), e)) {
      run_sorted_ = false;
    }
    entries_.push_back(e);
  }

  // Folds the open run into the table. `scratch` is reused across calls.
  void FinishRun(std::vector<Entry>* scratch) {
    const auto run_begin = entries_.begin() + static_cast<std::ptrdiff_t>(run_start_);
    if (!run_sorted_) {
      std::sort(run_begin, entries_.end(), Less);
      // Sum equal keys in place.
      auto out = run_begin;
      for (auto it = run_begin + 1; it < entries_.end(); ++it) {
        if (Same(*out, *it)) {
          Add(&*out, *it);
        } else {
          *++out = *it;
        }
      }
      entries_.erase(out + 1, entries_.end());
    }
    if (run_start_ > 0 && run_start_ < entries_.size() &&
        !Less(entries_[run_start_ - 1], entries_[run_start_])) {
      // Merge the two sorted, unique ranges, summing equal keys.
      scratch->clear();
      scratch->reserve(entries_.size());
      size_t i = 0;
      size_t j = run_start_;
      while (i < run_start_ && j < entries_.size()) {
        if (Less(entries_[i], entries_[j])) {
          scratch->push_back(entries_[i++]);
        } else if (Less(entries_[j], entries_[i])) {
          scratch->push_back(entries_[j++]);
        } else {
          Entry merged = entries_[i++];
          Add(&merged, entries_[j++]);
          scratch->push_back(merged);
        }
      }
      scratch->insert(scratch->end(), entries_.begin() + static_cast<std::ptrdiff_t>(i),
                      entries_.begin() + static_cast<std::ptrdiff_t>(run_start_));
      scratch->insert(scratch->end(), entries_.begin() + static_cast<std::ptrdiff_t>(j),
                      entries_.end());
      entries_.swap(*scratch);
    }
    run_start_ = entries_.size();
    run_sorted_ = true;
  }

  const std::vector<Entry>& entries() const { return entries_; }
  // The entries, leaving the table empty (after the last FinishRun).
  std::vector<Entry> Release() {
    run_start_ = 0;
    return std::move(entries_);
  }

 private:
  std::vector<Entry> entries_;
  size_t run_start_ = 0;
  bool run_sorted_ = true;
};

using LineTable = SortedTable<LineEntry, LineLess, LineSame, LineAdd>;
using BranchTable = SortedTable<BranchEntry, BranchLess, BranchSame, BranchAdd>;

// Everything read for one path, over all of its SF sections.
struct FileAcc {
  std::string_view path;
  LineTable lines;
  BranchTable branches;
  bool has_branches = false;
  bool partial = false;
};

// Record keys vigil reads, and the ones it knows and ignores.
enum class Key {
  kTn,
  kSf,
  kDa,
  kBrda,
  kKnownIgnored,  // VER FN FNDA FNL FNA FNF FNH BRF BRH LF LH MCDC MCF MCH MRF MRH
  kUnknown,       // an upper-case KEY: not listed: ignored (forward compatibility)
};

Key ClassifyKey(std::string_view key) {
  switch (key.size()) {
    case 2:
      if (key == "DA") {
        return Key::kDa;
      }
      if (key == "SF") {
        return Key::kSf;
      }
      if (key == "TN") {
        return Key::kTn;
      }
      if (key == "FN" || key == "LF" || key == "LH") {
        return Key::kKnownIgnored;
      }
      return Key::kUnknown;
    case 3:
      for (std::string_view k :
           {"VER", "FNF", "FNH", "FNL", "FNA", "BRF", "BRH", "MCF", "MCH", "MRF", "MRH"}) {
        if (key == k) {
          return Key::kKnownIgnored;
        }
      }
      return Key::kUnknown;
    case 4:
      if (key == "BRDA") {
        return Key::kBrda;
      }
      if (key == "FNDA" || key == "MCDC") {
        return Key::kKnownIgnored;
      }
      return Key::kUnknown;
    default:
      return Key::kUnknown;
  }
}

bool IsKeyStart(char c) {
  return c >= 'A' && c <= 'Z';
}
bool IsKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsBlankLine(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t') {
      return false;
    }
  }
  return true;
}

std::string_view TrimTrailingBlanks(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

class LcovParser {
 public:
  explicit LcovParser(std::string_view content) : content_(content) {}

  Result<ParsedCoverage> Run() {
    std::string_view rest = content_;
    if (rest.starts_with(kBom)) {
      rest.remove_prefix(kBom.size());
    }
    const char* p = rest.data();
    const char* const end = rest.data() + rest.size();
    while (p < end) {
      ++line_no_;
      if (current_ != nullptr && p[0] == 'D') {
        const char* next = FastDa(p, end);
        if (next != nullptr) {
          p = next;
          continue;
        }
      }
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* line_end = nl == nullptr ? end : nl;
      std::string_view line(p, static_cast<size_t>(line_end - p));
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
      }
      Line(line);
      p = nl == nullptr ? end : nl + 1;
    }
    if (open_) {
      Truncated("end of input");
    }
    if (!saw_sf_ && first_foreign_line_ > 0) {
      return InvalidArgumentError("line " + std::to_string(first_foreign_line_) +
                                  ": not an LCOV tracefile: " + first_foreign_text_ +
                                  " is not an LCOV record and there is no SF record");
    }
    return Finish();
  }

 private:
  void Line(std::string_view line) {
    // The hot records first: DA and BRDA are nearly every line of a report.
    if (line.size() > 3 && line[0] == 'D' && line[1] == 'A' && line[2] == ':') {
      Da(line.substr(3));
      return;
    }
    if (line.size() > 5 && line.starts_with("BRDA:")) {
      Brda(line.substr(5));
      return;
    }
    if (line.empty() || line[0] == '#') {
      return;  // blank, or a comment (lcov --comment writes them first)
    }
    size_t k = 0;
    if (IsKeyStart(line[0])) {
      k = 1;
      while (k < line.size() && IsKeyChar(line[k])) {
        ++k;
      }
    }
    if (k == 0 || k == line.size() || line[k] != ':') {
      if (TrimTrailingBlanks(line) == "end_of_record") {
        EndOfRecord();
        return;
      }
      if (IsBlankLine(line)) {
        return;
      }
      Foreign(line);
      return;
    }
    const std::string_view value = line.substr(k + 1);
    switch (ClassifyKey(line.substr(0, k))) {
      case Key::kTn:
        if (open_) {
          Truncated("TN record");
        }
        return;
      case Key::kSf:
        Sf(value);
        return;
      case Key::kDa:
        Da(value);
        return;
      case Key::kBrda:
        Brda(value);
        return;
      case Key::kKnownIgnored:
        if (!open_) {
          Outside(line.substr(0, k));
        }
        return;
      case Key::kUnknown:
        return;
    }
  }

  void Sf(std::string_view path) {
    saw_sf_ = true;
    if (open_) {
      Truncated("SF record");
    }
    open_ = true;
    sf_line_ = line_no_;
    if (path.empty()) {
      current_ = nullptr;
      Issue("SF with an empty path; the section's records are skipped");
      return;
    }
    auto [it, inserted] = index_.try_emplace(path, files_.size());
    if (inserted) {
      files_.emplace_back();
      files_.back().path = path;
    }
    current_ = &files_[it->second];
  }

  void EndOfRecord() {
    if (!open_) {
      Issue("end_of_record without an open SF section");
      return;
    }
    CloseSection();
  }

  // The common DA record, "DA:<line>,<count>\n" with a line of at most 9 digits and a count
  // of at most 19, parsed while finding the line's end. Returns where the next line starts, or
  // null (nothing consumed) for anything else, which the general path then reads.
  const char* FastDa(const char* p, const char* end) {
    if (end - p < 6 || p[1] != 'A' || p[2] != ':') {
      return nullptr;
    }
    const char* q = p + 3;
    uint32_t line = 0;
    const char* const line_digits = q;
    while (q < end && static_cast<unsigned>(*q - '0') <= 9 && q - line_digits < 9) {
      line = line * 10 + static_cast<uint32_t>(*q - '0');
      ++q;
    }
    if (q == line_digits || line == 0 || q >= end || *q != ',') {
      return nullptr;
    }
    ++q;
    uint64_t hits = 0;
    const char* const count_digits = q;
    while (q < end && static_cast<unsigned>(*q - '0') <= 9 && q - count_digits < 19) {
      hits = hits * 10 + static_cast<uint64_t>(*q - '0');
      ++q;
    }
    if (q == count_digits || q >= end) {
      return nullptr;
    }
    if (*q == '\r' && end - q >= 2 && q[1] == '\n') {
      ++q;
    }
    if (*q != '\n') {
      return nullptr;
    }
    current_->lines.Append(LineEntry{line, hits});
    return q + 1;
  }

  // DA:<line>,<count>[,<checksum>]
  void Da(std::string_view value) {
    if (!open_) {
      Outside("DA");
      return;
    }
    if (current_ == nullptr) {
      return;
    }
    const size_t c1 = value.find(',');
    if (c1 == std::string_view::npos) {
      Malformed("DA has 1 field, expected 2 or 3 (line,count[,checksum])");
      return;
    }
    const size_t c2 = value.find(',', c1 + 1);
    if (c2 != std::string_view::npos && value.find(',', c2 + 1) != std::string_view::npos) {
      Malformed("DA has " + std::to_string(CountFields(value)) +
                " fields, expected 2 or 3 (line,count[,checksum])");
      return;
    }
    uint32_t line = 0;
    if (!LineNumberOk("DA", value.substr(0, c1), &line)) {
      return;
    }
    const std::string_view count_text =
        value.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1);
    uint64_t hits = 0;
    if (!ParseCount(count_text, &hits)) {
      Malformed("DA execution count " + core::QuoteForMessage(count_text) +
                " is not a non-negative integer");
      return;
    }
    current_->lines.Append(LineEntry{line, hits});
  }

  // BRDA:<line>,[e][f][U]<block>,<branch>,<taken>; <branch> may contain commas.
  void Brda(std::string_view value) {
    if (!open_) {
      Outside("BRDA");
      return;
    }
    if (current_ == nullptr) {
      return;
    }
    const size_t c1 = value.find(',');
    const size_t c2 = c1 == std::string_view::npos ? c1 : value.find(',', c1 + 1);
    const size_t c3 = value.rfind(',');
    if (c2 == std::string_view::npos || c3 == c2) {
      Malformed("BRDA has " + std::to_string(CountFields(value)) +
                " fields, expected 4 (line,block,branch,taken)");
      return;
    }
    uint32_t line = 0;
    if (!LineNumberOk("BRDA", value.substr(0, c1), &line)) {
      return;
    }
    const std::string_view block_text = value.substr(c1 + 1, c2 - c1 - 1);
    const std::string_view branch_text = value.substr(c2 + 1, c3 - c2 - 1);
    const std::string_view taken_text = value.substr(c3 + 1);
    if (block_text.empty() || branch_text.empty()) {
      Malformed(std::string("BRDA has an empty ") + (block_text.empty() ? "block" : "branch"));
      return;
    }
    uint64_t taken = 0;
    if (taken_text != "-" && !ParseCount(taken_text, &taken)) {
      Malformed("BRDA taken count " + core::QuoteForMessage(taken_text) +
                " is neither '-' nor a non-negative integer");
      return;
    }
    current_->branches.Append(BranchEntry{line, BlockKey(block_text), IdKey(branch_text), taken});
    current_->has_branches = true;
  }

  // A block key: the e/f/U prefix letters as flag bits over the block number, or an interned id
  // when the text is not of that form.
  uint64_t BlockKey(std::string_view text) {
    uint64_t flags = 0;
    size_t i = 0;
    for (; i < text.size(); ++i) {
      if (text[i] == 'e') {
        flags |= 1;
      } else if (text[i] == 'f') {
        flags |= 2;
      } else if (text[i] == 'U') {
        flags |= 4;
      } else {
        break;
      }
    }
    const std::string_view digits = text.substr(i);
    if (digits.size() <= 9 && core::AllDigits(digits)) {
      uint64_t n = 0;
      for (char c : digits) {
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      return (flags << 32) | n;
    }
    return Intern(text);
  }

  // A branch key: the number when the text is a short decimal number, else an interned id.
  uint64_t IdKey(std::string_view text) {
    if (text.size() <= 9 && core::AllDigits(text)) {
      uint64_t n = 0;
      for (char c : text) {
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      return n;
    }
    return Intern(text);
  }

  // Interned ids live above every numeric key; the views point into the input.
  uint64_t Intern(std::string_view text) {
    auto [it, inserted] = interned_.try_emplace(text, interned_.size());
    (void)inserted;
    return (uint64_t{1} << 63) | it->second;
  }

  bool LineNumberOk(std::string_view record, std::string_view text, uint32_t* line) {
    switch (ParseLineNumber(text, line)) {
      case LineNumber::kOk:
        return true;
      case LineNumber::kNotNumber:
        Malformed(std::string(record) + " line number " + core::QuoteForMessage(text) +
                  " is not a number");
        return false;
      case LineNumber::kZero:
        Malformed(std::string(record) + " line number 0 (lines are numbered from 1)");
        return false;
      case LineNumber::kTooLarge:
        Malformed(std::string(record) + " line number " + core::QuoteForMessage(text) +
                  " is out of range");
        return false;
    }
    return false;
  }

  static size_t CountFields(std::string_view value) {
    return static_cast<size_t>(std::count(value.begin(), value.end(), ',')) + 1;
  }

  void CloseSection() {
    if (current_ != nullptr) {
      current_->lines.FinishRun(&line_scratch_);
      current_->branches.FinishRun(&branch_scratch_);
    }
    current_ = nullptr;
    open_ = false;
  }

  // `what` (end of input, a TN or SF record) came inside the open section, which has no
  // end_of_record: keep what it had, mark its file partial. Reported at the current line.
  void Truncated(std::string_view what) {
    if (current_ != nullptr) {
      current_->partial = true;
    }
    Issue(std::string(what) + " inside the SF section of line " + std::to_string(sf_line_) +
          " (no end_of_record: truncated report)");
    CloseSection();
  }

  // A malformed record inside a section: skipped, its file marked partial.
  void Malformed(std::string reason) {
    if (current_ != nullptr) {
      current_->partial = true;
    }
    Issue(std::move(reason));
  }

  void Outside(std::string_view record) {
    Issue(std::string(record) + " record outside an SF section (before SF or after end_of_record)");
  }

  // A line that is no LCOV record at all.
  void Foreign(std::string_view line) {
    if (first_foreign_line_ == 0) {
      first_foreign_line_ = line_no_;
      first_foreign_text_ = core::QuoteForMessage(line);
    }
    if (open_) {
      Malformed("not an LCOV record: " + core::QuoteForMessage(line));
    } else {
      Issue("not an LCOV record: " + core::QuoteForMessage(line));
    }
  }

  void Issue(std::string reason) {
    AddCoverageIssue(&issues_, &issue_count_, line_no_, std::move(reason));
  }

  ParsedCoverage Finish() {
    ParsedCoverage out;
    out.format = CoverageFormat::kLcov;
    out.issues = std::move(issues_);
    out.issue_count = issue_count_;
    std::vector<size_t> order(files_.size());
    for (size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return files_[a].path < files_[b].path; });
    out.files.reserve(files_.size());
    for (size_t i : order) {
      FileAcc& acc = files_[i];
      ParsedFileCoverage f;
      f.path = std::string(acc.path);
      f.partial = acc.partial;
      f.lines = acc.lines.Release();
      for (const CoverageLine& l : f.lines) {
        f.lines_hit += l.hits > 0 ? 1 : 0;
      }
      f.lines_found = static_cast<int64_t>(f.lines.size());
      if (acc.has_branches) {
        int64_t hit = 0;
        for (const BranchEntry& b : acc.branches.entries()) {
          hit += b.taken > 0 ? 1 : 0;
        }
        f.branches_found = static_cast<int64_t>(acc.branches.entries().size());
        f.branches_hit = hit;
      }
      out.files.push_back(std::move(f));
    }
    return out;
  }

  std::string_view content_;
  int64_t line_no_ = 0;
  bool open_ = false;           // inside SF…end_of_record
  FileAcc* current_ = nullptr;  // the open section's file; null for an SF with no path
  int64_t sf_line_ = 0;         // the open section's SF line
  bool saw_sf_ = false;
  int64_t first_foreign_line_ = 0;
  std::string first_foreign_text_;
  // `current_` points into files_: it is set after the emplace_back in Sf, and no section is
  // open across an emplace_back, so growth never leaves it dangling.
  std::vector<FileAcc> files_;
  std::unordered_map<std::string_view, size_t> index_;
  std::unordered_map<std::string_view, uint64_t> interned_;
  std::vector<CoverageIssue> issues_;
  int64_t issue_count_ = 0;
  std::vector<LineEntry> line_scratch_;
  std::vector<BranchEntry> branch_scratch_;
};

}  // namespace

Result<ParsedCoverage> ParseLcov(std::string_view content) {
  return LcovParser(content).Run();
}

}  // namespace vigil::ingest
