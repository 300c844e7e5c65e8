#include "vigil/ingest/coverage_paths.h"

#include <algorithm>

#include "vigil/ingest/coverage_counts.h"

namespace vigil::ingest {
namespace {

bool IsAbsolute(std::string_view p) {
  return p.starts_with('/') ||
         (p.size() >= 3 && ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) &&
          p[1] == ':' && p[2] == '/');
}

std::string Slashes(std::string_view p) {
  std::string out(p);
  std::replace(out.begin(), out.end(), '\\', '/');
  return out;
}

// `path` without the leading `prefix` on a segment boundary; nullopt when it does not start so.
std::optional<std::string_view> StripSegmentPrefix(std::string_view path, std::string_view prefix) {
  while (prefix.size() > 1 && prefix.ends_with('/')) {
    prefix.remove_suffix(1);
  }
  if (prefix.empty() || !path.starts_with(prefix)) {
    return std::nullopt;
  }
  std::string_view rest = path.substr(prefix.size());
  if (prefix == "/") {
    return rest;
  }
  if (rest.empty()) {
    return rest;
  }
  if (rest[0] != '/') {
    return std::nullopt;
  }
  return rest.substr(1);
}

std::string_view Basename(std::string_view p) {
  size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

// How many trailing '/'-separated segments `a` and `b` share.
int CommonTrailingSegments(std::string_view a, std::string_view b) {
  int n = 0;
  while (!a.empty() && !b.empty()) {
    std::string_view sa = Basename(a);
    std::string_view sb = Basename(b);
    if (sa != sb) {
      break;
    }
    ++n;
    a.remove_suffix(std::min(a.size(), sa.size() + 1));
    b.remove_suffix(std::min(b.size(), sb.size() + 1));
  }
  return n;
}

// Union of two sorted line lists, hits summed.
std::vector<CoverageLine> MergeLines(const std::vector<CoverageLine>& a,
                                     const std::vector<CoverageLine>& b) {
  std::vector<CoverageLine> out;
  out.reserve(a.size() + b.size());
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].line < b[j].line)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].line < a[i].line) {
      out.push_back(b[j++]);
    } else {
      out.push_back(CoverageLine{a[i].line, SaturatingAdd(a[i].hits, b[j].hits)});
      ++i;
      ++j;
    }
  }
  return out;
}

std::optional<int64_t> MaxOpt(std::optional<int64_t> a, std::optional<int64_t> b) {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  return std::max(*a, *b);
}

}  // namespace

std::string CleanPath(std::string_view path) {
  const std::string p = Slashes(path);
  const bool absolute = p.starts_with('/');
  std::vector<std::string_view> parts;
  std::string_view rest = p;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (seg.empty() || seg == ".") {
      continue;
    }
    if (seg == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
        continue;
      }
      if (absolute) {
        continue;  // Nothing above the root.
      }
    }
    parts.push_back(seg);
  }
  std::string out;
  if (absolute) {
    out += '/';
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += '/';
    }
    out.append(parts[i]);
  }
  return out;
}

std::string GoModulePath(std::string_view text) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) {
      continue;
    }
    line = line.substr(start);
    if (!line.starts_with("module") || line.size() < 7 || (line[6] != ' ' && line[6] != '\t')) {
      continue;
    }
    line = line.substr(7);
    size_t comment = line.find("//");
    line = line.substr(0, comment);
    size_t b = line.find_first_not_of(" \t\r");
    size_t e = line.find_last_not_of(" \t\r");
    if (b == std::string_view::npos) {
      return "";
    }
    line = line.substr(b, e - b + 1);
    if (line.size() >= 2 && (line.front() == '"' || line.front() == '`') &&
        line.back() == line.front()) {
      line = line.substr(1, line.size() - 2);
    }
    return std::string(line);
  }
  return "";
}

CoverageMerger::CoverageMerger(CoveragePathOptions options) : options_(std::move(options)) {
  options_.root = CleanPath(options_.root);
  std::sort(options_.repo_files.begin(), options_.repo_files.end());
  for (size_t i = 0; i < options_.repo_files.size(); ++i) {
    by_basename_.emplace(Basename(options_.repo_files[i]), i);
  }
  // Longest module first, so a nested module wins over its parent.
  std::sort(options_.go_modules.begin(), options_.go_modules.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

ResolvedPath CoverageMerger::Resolve(std::string_view raw,
                                     const std::vector<std::string>& source_roots) const {
  std::string p = Slashes(raw);
  if (!source_roots.empty() && !IsAbsolute(p)) {
    std::string chosen;
    for (const std::string& root : source_roots) {
      std::string joined = CleanPath(Slashes(root) + "/" + p);
      if (chosen.empty()) {
        chosen = joined;
      }
      if (options_.exists && options_.exists(joined)) {
        chosen = std::move(joined);
        break;
      }
    }
    p = std::move(chosen);
  }
  for (const std::string& prefix : options_.strip_prefixes) {
    const std::string slashed = Slashes(prefix);
    if (auto rest = StripSegmentPrefix(p, slashed)) {
      p = std::string(*rest);
      break;
    }
  }
  for (const auto& [module, dir] : options_.go_modules) {
    if (auto rest = StripSegmentPrefix(p, module)) {
      p = dir.empty() ? std::string(*rest) : dir + "/" + std::string(*rest);
      break;
    }
  }
  if (!options_.root.empty() && IsAbsolute(p)) {
    const std::string cleaned = CleanPath(p);
    if (auto rest = StripSegmentPrefix(cleaned, options_.root)) {
      p = std::string(*rest);
    }
  }
  p = CleanPath(p);
  ResolvedPath out;
  out.how = p == raw ? PathResolution::kAsIs : PathResolution::kRewritten;
  if (options_.repo_files.empty() ||
      std::binary_search(options_.repo_files.begin(), options_.repo_files.end(), p)) {
    out.path = std::move(p);
    return out;
  }
  // The repository file sharing the most trailing segments with it, when unique.
  int best = 0;
  size_t best_index = 0;
  bool tie = false;
  auto [first, last] = by_basename_.equal_range(Basename(p));
  for (auto it = first; it != last; ++it) {
    int n = CommonTrailingSegments(p, options_.repo_files[it->second]);
    if (n > best) {
      best = n;
      best_index = it->second;
      tie = false;
    } else if (n == best) {
      tie = true;
    }
  }
  if (best > 0 && !tie) {
    out.path = options_.repo_files[best_index];
    out.how = PathResolution::kSuffixMatch;
    return out;
  }
  out.path = std::move(p);
  out.how = PathResolution::kUnresolved;
  return out;
}

void CoverageMerger::Add(const ParsedCoverage& report) {
  for (const ParsedFileCoverage& file : report.files) {
    ResolvedPath resolved = Resolve(file.path, report.source_roots);
    if (resolved.how == PathResolution::kUnresolved ||
        (options_.repo_files.empty() && IsAbsolute(resolved.path))) {
      if (unresolved_.size() < 20) {
        unresolved_.push_back(file.path);
      }
      ++unresolved_count_;
    } else if (resolved.how == PathResolution::kSuffixMatch) {
      ++suffix_matched_;
    }
    auto [it, inserted] = files_.try_emplace(resolved.path);
    Entry& e = it->second;
    if (inserted) {
      e.file = file;
      e.file.path = resolved.path;
      e.contributions = 1;
      continue;
    }
    ParsedFileCoverage& m = e.file;
    const bool lines_known =
        (m.lines_found == 0 || !m.lines.empty()) && (file.lines_found == 0 || !file.lines.empty());
    m.lines = MergeLines(m.lines, file.lines);
    if (lines_known) {
      m.lines_found = static_cast<int64_t>(m.lines.size());
      m.lines_hit = std::count_if(m.lines.begin(), m.lines.end(),
                                  [](const CoverageLine& l) { return l.hits > 0; });
    } else {
      m.lines_found = std::max(m.lines_found, file.lines_found);
      m.lines_hit = std::max(m.lines_hit, file.lines_hit);
    }
    m.branches_found = MaxOpt(m.branches_found, file.branches_found);
    m.branches_hit = MaxOpt(m.branches_hit, file.branches_hit);
    m.partial = m.partial || file.partial;
    ++e.contributions;
  }
}

std::vector<model::FileCoverage> CoverageMerger::Files() const {
  std::vector<model::FileCoverage> out;
  out.reserve(files_.size());
  for (const auto& [path, e] : files_) {
    model::FileCoverage f;
    f.path = path;
    f.lines_found = e.file.lines_found;
    f.lines_hit = e.file.lines_hit;
    f.branches_found = e.file.branches_found;
    f.branches_hit = e.file.branches_hit;
    if (f.branches_found.has_value() != f.branches_hit.has_value()) {
      f.branches_found.reset();
      f.branches_hit.reset();
    }
    f.partial = e.file.partial;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace vigil::ingest
