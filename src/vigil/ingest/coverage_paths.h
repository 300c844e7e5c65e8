// Repository-relative paths for coverage reports, and the merge of reports into one snapshot's
// files (docs/coverage.md, "Paths"). Pure: the importer hands in what it found
// on disk (the repository's files, Go modules, which Cobertura source roots exist).
//
// A report path becomes repository-relative in this order: backslashes become '/'; a relative
// Cobertura filename is joined to the first <source> root under which it exists (else the
// first root); the first matching --strip-prefix is removed; a Go import path under a known
// module becomes that module's folder + the rest; an absolute path under the root is made
// relative to it; "." and empty segments are dropped and ".." resolved. When the repository's
// file list is known and the path is not in it, the file sharing the longest '/'-boundary
// suffix with it is taken (a unique best match only; `simplelru/lru.go` never matches a bare
// `lru.go` when a better one exists). What stays unresolved is kept as it is and reported.
//
// Thread-safety: CoverageMerger is single-threaded; the functions are pure.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vigil/ingest/coverage.h"
#include "vigil/model/coverage.h"

namespace vigil::ingest {

struct CoveragePathOptions {
  std::vector<std::string> strip_prefixes;  // as given; the first that matches is removed
  std::string root;                         // absolute, '/'-separated; "" = none
  // Go module path → its folder relative to the root ("" for the root itself).
  std::vector<std::pair<std::string, std::string>> go_modules;
  // The repository's files, relative to the root, sorted; empty = unknown (no suffix match).
  std::vector<std::string> repo_files;
  // Whether a joined Cobertura path exists; unset = never (the first root is taken).
  std::function<bool(const std::string&)> exists;
};

// How a report path was resolved, for the import summary.
enum class PathResolution { kAsIs, kRewritten, kSuffixMatch, kUnresolved };

struct ResolvedPath {
  std::string path;
  PathResolution how = PathResolution::kAsIs;
};

// Lexical clean-up: '\' → '/', "." and empty segments dropped, ".." resolved against what is
// before it (kept at the front of a relative path), a leading '/' kept.
std::string CleanPath(std::string_view path);

// The Go module declared by a go.mod file's text ("module example.com/x" or the quoted form),
// or "" when it declares none.
std::string GoModulePath(std::string_view go_mod_text);

// Accumulates parsed reports, resolving their paths, into one snapshot's files. A path reported
// once keeps its totals exactly as its report states them; a path reported several times
// (several raw paths resolving to one, or several reports) gets the union of its lines (hits
// summed) with found/hit recomputed from it, or, when a report gave no per-line data, the
// highest stated totals; branches take the highest stated found and hit; partial if any was.
class CoverageMerger {
 public:
  explicit CoverageMerger(CoveragePathOptions options);
  CoverageMerger(const CoverageMerger&) = delete;
  CoverageMerger& operator=(const CoverageMerger&) = delete;

  // The repository-relative path of one report path (see the file comment). `source_roots`
  // are the report's Cobertura <source> entries (empty for other formats).
  ResolvedPath Resolve(std::string_view raw, const std::vector<std::string>& source_roots) const;

  void Add(const ParsedCoverage& report);

  // The merged files, sorted by path.
  std::vector<model::FileCoverage> Files() const;

  // Paths that stayed unresolved (as written, first 20) and how many there were in all.
  const std::vector<std::string>& unresolved_examples() const { return unresolved_; }
  int64_t unresolved_count() const { return unresolved_count_; }
  int64_t suffix_matched() const { return suffix_matched_; }

 private:
  struct Entry {
    ParsedFileCoverage file;
    int contributions = 0;
  };
  CoveragePathOptions options_;
  std::unordered_multimap<std::string_view, size_t> by_basename_;  // into options_.repo_files
  std::map<std::string, Entry> files_;
  std::vector<std::string> unresolved_;
  int64_t unresolved_count_ = 0;
  int64_t suffix_matched_ = 0;
};

}  // namespace vigil::ingest
