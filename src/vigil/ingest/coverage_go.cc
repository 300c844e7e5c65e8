// The Go coverprofile parser (ParseGoCoverprofile in coverage.h): `go test -coverprofile`
// output in set, count or atomic mode, including concatenated profiles and `-coverpkg` runs
// that repeat every block once per test binary. The rules are in docs/coverage.md
// ("Go coverprofile").
//
// Go reports statements per block; vigil turns them into lines: a line is found when a block
// with at least one statement spans it (start line to end line, inclusive) and hit when one of
// those blocks ran; CoverageLine::hits is the largest count among them.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vigil/core/text.h"
#include "vigil/ingest/coverage.h"
#include "vigil/ingest/coverage_counts.h"

namespace vigil::ingest {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
// No Go statement spans this many lines; the bound keeps one corrupt block line from expanding
// into millions of line entries.
constexpr uint32_t kMaxBlockSpanLines = 100'000;
constexpr std::string_view kExpectedBlock =
    "expected '<file>:<startLine>.<startCol>,<endLine>.<endCol> <numStmts> <count>'";

enum class Mode { kSet, kCount, kAtomic };

std::optional<Mode> ParseMode(std::string_view s) {
  if (s == "set") {
    return Mode::kSet;
  }
  if (s == "count") {
    return Mode::kCount;
  }
  if (s == "atomic") {
    return Mode::kAtomic;
  }
  return std::nullopt;
}

bool ParseU32(std::string_view s, uint32_t* out) {
  uint64_t v = 0;
  if (!ParseCount(s, &v) || v > std::numeric_limits<uint32_t>::max()) {
    return false;
  }
  *out = static_cast<uint32_t>(v);
  return true;
}

// "<line>.<col>"
bool ParsePosition(std::string_view s, uint32_t* line, uint32_t* col) {
  const size_t dot = s.find('.');
  return dot != std::string_view::npos && ParseU32(s.substr(0, dot), line) &&
         ParseU32(s.substr(dot + 1), col);
}

struct Block {
  uint32_t start_line;
  uint32_t start_col;
  uint32_t end_line;
  uint32_t end_col;
  uint64_t stmts;
  uint64_t count;
  int64_t input_line;  // where the block was read, for issues

  bool SamePosition(const Block& o) const {
    return start_line == o.start_line && start_col == o.start_col && end_line == o.end_line &&
           end_col == o.end_col;
  }
};

bool PositionLess(const Block& a, const Block& b) {
  if (a.start_line != b.start_line) {
    return a.start_line < b.start_line;
  }
  if (a.start_col != b.start_col) {
    return a.start_col < b.start_col;
  }
  if (a.end_line != b.end_line) {
    return a.end_line < b.end_line;
  }
  if (a.end_col != b.end_col) {
    return a.end_col < b.end_col;
  }
  return a.input_line < b.input_line;
}

struct FileAcc {
  std::string_view path;
  std::vector<Block> blocks;
  bool partial = false;
};

std::string PositionText(const Block& b) {
  return std::to_string(b.start_line) + "." + std::to_string(b.start_col) + "," +
         std::to_string(b.end_line) + "." + std::to_string(b.end_col);
}

class GoParser {
 public:
  explicit GoParser(std::string_view content) : content_(content) {}

  Result<ParsedCoverage> Run() {
    std::string_view rest = content_;
    if (rest.starts_with(kBom)) {
      rest.remove_prefix(kBom.size());
    }
    const char* p = rest.data();
    const char* const end = rest.data() + rest.size();
    while (p < end) {
      ++line_no_;
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* line_end = nl == nullptr ? end : nl;
      std::string_view line(p, static_cast<size_t>(line_end - p));
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
        line.remove_suffix(1);
      }
      p = nl == nullptr ? end : nl + 1;
      if (line.empty()) {
        continue;
      }
      VIGIL_RETURN_IF_ERROR(Line(line));
    }
    if (!mode_.has_value()) {
      return InvalidArgumentError(
          "line 1: not a Go coverprofile: no 'mode: set|count|atomic' line (empty input)");
    }
    return Finish();
  }

 private:
  Status Line(std::string_view line) {
    // As `go tool cover` reads profiles: a line starting with "mode: " is a mode line.
    if (line.starts_with("mode: ")) {
      const std::string_view name = line.substr(6);
      const std::optional<Mode> mode = ParseMode(name);
      if (!mode.has_value()) {
        return InvalidArgumentError("line " + std::to_string(line_no_) + ": unknown mode " +
                                    core::QuoteForMessage(name) +
                                    " (expected set, count or atomic)");
      }
      if (!mode_.has_value()) {
        mode_ = mode;
        mode_name_ = std::string(name);
        mode_line_ = line_no_;
      } else if (*mode != *mode_) {
        return InvalidArgumentError(
            "line " + std::to_string(line_no_) + ": mode " + core::QuoteForMessage(name) +
            " differs from mode " + core::QuoteForMessage(mode_name_) + " of line " +
            std::to_string(mode_line_) + " (profiles of different modes cannot be merged)");
      }
      return OkStatus();
    }
    if (!mode_.has_value()) {
      return InvalidArgumentError("line " + std::to_string(line_no_) +
                                  ": not a Go coverprofile: expected 'mode: set|count|atomic', "
                                  "found " +
                                  core::QuoteForMessage(line));
    }
    BlockLine(line);
    return OkStatus();
  }

  // <file>:<startLine>.<startCol>,<endLine>.<endCol> <numStmts> <count>, read from the right
  // because file names may hold ':' and spaces.
  void BlockLine(std::string_view line) {
    const size_t s2 = line.rfind(' ');
    const size_t s1 =
        s2 == std::string_view::npos || s2 == 0 ? std::string_view::npos : line.rfind(' ', s2 - 1);
    if (s1 == std::string_view::npos) {
      Malformed({}, "block line has fewer than 3 fields; " + std::string(kExpectedBlock));
      return;
    }
    const std::string_view location = line.substr(0, s1);
    const size_t colon = location.rfind(':');
    if (colon == std::string_view::npos) {
      Malformed({}, "no ':' between file name and positions; " + std::string(kExpectedBlock));
      return;
    }
    const std::string_view path = location.substr(0, colon);
    if (path.empty()) {
      Malformed({}, "empty file name; " + std::string(kExpectedBlock));
      return;
    }
    const std::string_view positions = location.substr(colon + 1);
    const std::string_view stmts_text = line.substr(s1 + 1, s2 - s1 - 1);
    const std::string_view count_text = line.substr(s2 + 1);
    Block b{};
    b.input_line = line_no_;
    const size_t comma = positions.find(',');
    if (comma == std::string_view::npos ||
        !ParsePosition(positions.substr(0, comma), &b.start_line, &b.start_col) ||
        !ParsePosition(positions.substr(comma + 1), &b.end_line, &b.end_col)) {
      Malformed(path, "positions " + core::QuoteForMessage(positions) +
                          " are not <startLine>.<startCol>,<endLine>.<endCol>");
      return;
    }
    if (!ParseCount(stmts_text, &b.stmts)) {
      Malformed(path,
                "numStmts " + core::QuoteForMessage(stmts_text) + " is not a non-negative integer");
      return;
    }
    if (!ParseCount(count_text, &b.count)) {
      Malformed(path,
                "count " + core::QuoteForMessage(count_text) + " is not a non-negative integer");
      return;
    }
    if (b.start_line == 0 || b.end_line == 0) {
      Malformed(path, "line number 0 (lines are numbered from 1)");
      return;
    }
    if (b.end_line < b.start_line || (b.end_line == b.start_line && b.end_col < b.start_col)) {
      Malformed(path, "block " + PositionText(b) + " ends before it starts");
      return;
    }
    if (b.end_line - b.start_line >= kMaxBlockSpanLines) {
      Malformed(path, "block " + PositionText(b) + " spans more than " +
                          std::to_string(kMaxBlockSpanLines) + " lines");
      return;
    }
    FileFor(path)->blocks.push_back(b);
  }

  FileAcc* FileFor(std::string_view path) {
    auto [it, inserted] = index_.try_emplace(path, files_.size());
    if (inserted) {
      files_.emplace_back();
      files_.back().path = path;
    }
    return &files_[it->second];
  }

  // A skipped block line. The file it names (when readable) becomes partial if it has valid
  // blocks; a name seen only on malformed lines makes no file entry.
  void Malformed(std::string_view path, std::string reason) {
    if (!path.empty()) {
      partial_paths_.insert(path);
    }
    AddCoverageIssue(&issues_, &issue_count_, line_no_, std::move(reason));
  }

  // Merges duplicate blocks of one file in place: OR in set mode, a saturating sum otherwise.
  // A duplicate with a different statement count is reported and dropped.
  void MergeBlocks(FileAcc* file) {
    std::vector<Block>& blocks = file->blocks;
    std::sort(blocks.begin(), blocks.end(), PositionLess);
    size_t out = 0;
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (out > 0 && blocks[out - 1].SamePosition(blocks[i])) {
        Block& kept = blocks[out - 1];
        if (kept.stmts != blocks[i].stmts) {
          file->partial = true;
          AddCoverageIssue(&issues_, &issue_count_, blocks[i].input_line,
                           "block " + PositionText(blocks[i]) + " has " +
                               std::to_string(blocks[i].stmts) + " statements, but " +
                               std::to_string(kept.stmts) + " at line " +
                               std::to_string(kept.input_line) + "; the later block is skipped");
          continue;
        }
        if (*mode_ == Mode::kSet) {
          kept.count |= blocks[i].count;
        } else {
          kept.count =
              kept.count + blocks[i].count < kept.count ? kMaxCount : kept.count + blocks[i].count;
        }
        continue;
      }
      blocks[out++] = blocks[i];
    }
    blocks.resize(out);
  }

  // The lines spanned by blocks with statements, each with the largest count among them, in
  // line order. Blocks of one file mostly tile a compact range of lines: a dense table over
  // that range when it is at most about twice the lines spanned, else a sort of every
  // (line, count) pair (blocks far apart).
  void LinesOf(const std::vector<Block>& blocks, std::vector<CoverageLine>* out) {
    uint64_t spanned = 0;
    uint32_t lo = std::numeric_limits<uint32_t>::max();
    uint32_t hi = 0;
    for (const Block& b : blocks) {
      if (b.stmts > 0) {
        spanned += uint64_t{b.end_line} - b.start_line + 1;
        lo = std::min(lo, b.start_line);
        hi = std::max(hi, b.end_line);
      }
    }
    if (spanned == 0) {
      return;
    }
    const uint64_t range = uint64_t{hi} - lo + 1;
    if (range <= 2 * spanned + 64) {
      dense_hits_.assign(range, 0);
      dense_found_.assign(range, 0);
      for (const Block& b : blocks) {
        if (b.stmts == 0) {
          continue;
        }
        for (uint64_t i = b.start_line - lo; i <= uint64_t{b.end_line} - lo; ++i) {
          dense_found_[i] = 1;
          dense_hits_[i] = std::max(dense_hits_[i], b.count);
        }
      }
      for (uint64_t i = 0; i < range; ++i) {
        if (dense_found_[i] != 0) {
          out->push_back(CoverageLine{static_cast<uint32_t>(lo + i), dense_hits_[i]});
        }
      }
      return;
    }
    std::vector<CoverageLine> spans;
    spans.reserve(spanned);
    for (const Block& b : blocks) {
      if (b.stmts == 0) {
        continue;
      }
      for (uint64_t line = b.start_line; line <= b.end_line; ++line) {
        spans.push_back(CoverageLine{static_cast<uint32_t>(line), b.count});
      }
    }
    std::sort(spans.begin(), spans.end(),
              [](const CoverageLine& a, const CoverageLine& b) { return a.line < b.line; });
    for (const CoverageLine& l : spans) {
      if (!out->empty() && out->back().line == l.line) {
        out->back().hits = std::max(out->back().hits, l.hits);
      } else {
        out->push_back(l);
      }
    }
  }

  ParsedCoverage Finish() {
    ParsedCoverage result;
    result.format = CoverageFormat::kGo;
    std::vector<size_t> order(files_.size());
    for (size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return files_[a].path < files_[b].path; });
    for (size_t i : order) {
      FileAcc& acc = files_[i];
      MergeBlocks(&acc);
      ParsedFileCoverage f;
      f.path = std::string(acc.path);
      f.partial = acc.partial || partial_paths_.contains(acc.path);
      LinesOf(acc.blocks, &f.lines);
      f.lines_found = static_cast<int64_t>(f.lines.size());
      for (const CoverageLine& l : f.lines) {
        f.lines_hit += l.hits > 0 ? 1 : 0;
      }
      result.files.push_back(std::move(f));
    }
    // Statement-count conflicts are found while merging; report all issues in input order.
    std::stable_sort(
        issues_.begin(), issues_.end(),
        [](const CoverageIssue& a, const CoverageIssue& b) { return a.line < b.line; });
    result.issues = std::move(issues_);
    result.issue_count = issue_count_;
    return result;
  }

  std::string_view content_;
  int64_t line_no_ = 0;
  std::optional<Mode> mode_;
  std::string mode_name_;
  int64_t mode_line_ = 0;
  std::vector<FileAcc> files_;
  std::unordered_map<std::string_view, size_t> index_;
  std::unordered_set<std::string_view> partial_paths_;
  std::vector<CoverageIssue> issues_;
  int64_t issue_count_ = 0;
  std::vector<uint64_t> dense_hits_;  // LinesOf's tables, reused across files
  std::vector<uint8_t> dense_found_;
};

}  // namespace

Result<ParsedCoverage> ParseGoCoverprofile(std::string_view content) {
  return GoParser(content).Run();
}

}  // namespace vigil::ingest
