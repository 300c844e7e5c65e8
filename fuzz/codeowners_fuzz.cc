// Fuzzes CODEOWNERS parsing and path patterns. The input is parsed as a CODEOWNERS file in
// both syntaxes and queried with paths derived from its own words. Checks: no crash; every
// rule and issue line lies within the file, in file order; GitHub rules have no section and
// no exclusion; owners are non-empty words; OwnersOf is deterministic (again, and on a copy)
// and equals a brute-force evaluation (GitHub: the last matching rule; GitLab: each section's
// last match unless it has a matching exclusion); the patterns of lines 1-16 re-parse from
// their text to the same matcher. Each short word is also parsed as a PathPattern and, when
// valid, compared with a naive recursive gitignore matcher written from git's PATTERN FORMAT.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/config/codeowners.h"
#include "vigil/config/path_pattern.h"
#include "vigil/core/check.h"
#include "vigil/core/text.h"

namespace {

using vigil::Result;
using vigil::config::Codeowners;
using vigil::config::CodeownersRule;
using vigil::config::CodeownersSyntax;
using vigil::config::PathPattern;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) {
      ++i;
    }
    const size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) {
      ++i;
    }
    if (i > start) {
      words.push_back(text.substr(start, i - start));
    }
  }
  return words;
}

// A repository path from a word: wildcards become letters, escapes and empty components go.
std::string PathFrom(std::string_view word) {
  std::string path;
  bool at_component_start = true;
  for (char c : word) {
    if (c == '\\' || c == '!' || c == '[' || c == '^') {
      continue;
    }
    if (c == '/') {
      at_component_start = true;
      continue;
    }
    if (at_component_start && !path.empty()) {
      path.push_back('/');
    }
    at_component_start = false;
    path.push_back(c == '*' ? 'x' : c == '?' ? 'q' : c);
  }
  return path;
}

// git's wildmatch for one candidate: `*` and `?` stay within a component; `**` between
// slashes (or at an end) crosses them.
bool Wild(std::string_view p, size_t pi, std::string_view s, size_t si) {
  if (pi == p.size()) {
    return si == s.size();
  }
  if (p[pi] == '*') {
    size_t run = 0;
    while (pi + run < p.size() && p[pi + run] == '*') {
      ++run;
    }
    const size_t after = pi + run;
    if (run >= 2 && (pi == 0 || p[pi - 1] == '/') && (after == p.size() || p[after] == '/')) {
      if (after == p.size()) {
        return true;
      }
      for (size_t j = si; j <= s.size(); ++j) {
        if ((j == si || s[j - 1] == '/') && Wild(p, after + 1, s, j)) {
          return true;
        }
      }
      return false;
    }
    for (size_t j = si; j <= s.size(); ++j) {
      if (Wild(p, after, s, j)) {
        return true;
      }
      if (j < s.size() && s[j] == '/') {
        break;
      }
    }
    return false;
  }
  if (si == s.size()) {
    return false;
  }
  if (p[pi] == '?') {
    return s[si] != '/' && Wild(p, pi + 1, s, si + 1);
  }
  return p[pi] == s[si] && Wild(p, pi + 1, s, si + 1);
}

// gitignore semantics for a file path: the pattern matches the path or a leading directory
// (a trailing '/' pattern only a directory); no slash but a trailing one matches basenames;
// a final lone `*` matches files only (GitHub's `docs/*`). Patterns without backslashes.
bool NaiveMatches(std::string_view pattern, std::string_view path) {
  const bool dir_only = pattern.back() == '/';
  std::string_view p = pattern;
  if (dir_only) {
    p.remove_suffix(1);
  }
  const bool anchored = p.find('/') != std::string_view::npos;
  if (!p.empty() && p.front() == '/') {
    p.remove_prefix(1);
  }
  const size_t last_slash = p.rfind('/');
  const std::string_view last = last_slash == std::string_view::npos ? p : p.substr(last_slash + 1);
  const bool files_only = !dir_only && last == "*";
  for (size_t end = 0; end <= path.size(); ++end) {
    if (end != path.size() && path[end] != '/') {
      continue;
    }
    const bool whole = end == path.size();
    if ((dir_only && whole) || (files_only && !whole)) {
      continue;
    }
    const std::string_view prefix = path.substr(0, end);
    const size_t base = prefix.rfind('/');
    const std::string_view candidate =
        anchored ? prefix : (base == std::string_view::npos ? prefix : prefix.substr(base + 1));
    if (Wild(p, 0, candidate, 0)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> Dedup(const std::vector<std::string>& owners) {
  std::vector<std::string> out;
  for (const std::string& o : owners) {
    if (std::find(out.begin(), out.end(), o) == out.end()) {
      out.push_back(o);
    }
  }
  return out;
}

// OwnersOf by brute force. GitLab: as a sorted set (the section order is checked by the unit
// tests; here sections are grouped by name, case-insensitively).
std::vector<std::string> BruteOwners(const Codeowners& c, std::string_view path) {
  const std::vector<CodeownersRule>& rules = c.rules();
  if (c.syntax() == CodeownersSyntax::kGithub) {
    for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
      if (it->pattern.Matches(path)) {
        return Dedup(it->owners);
      }
    }
    return {};
  }
  std::vector<std::string> sections;
  for (const CodeownersRule& r : rules) {
    bool seen = false;
    for (const std::string& s : sections) {
      seen = seen || vigil::core::EqualsIgnoreCase(s, r.section);
    }
    if (!seen) {
      sections.push_back(r.section);
    }
  }
  std::vector<std::string> out;
  for (const std::string& section : sections) {
    const CodeownersRule* last = nullptr;
    bool excluded = false;
    for (const CodeownersRule& r : rules) {
      if (vigil::core::EqualsIgnoreCase(r.section, section) && r.pattern.Matches(path)) {
        last = &r;
        excluded = excluded || r.exclusion;
      }
    }
    if (last != nullptr && !excluded) {
      out.insert(out.end(), last->owners.begin(), last->owners.end());
    }
  }
  out = Dedup(out);
  std::sort(out.begin(), out.end());
  return out;
}

void CheckCodeowners(std::string_view text, CodeownersSyntax syntax,
                     const std::vector<std::string>& paths) {
  Result<Codeowners> parsed = Codeowners::Parse(text, syntax);
  VIGIL_CHECK(parsed.ok(), "a small file failed to parse");
  const Codeowners& c = *parsed;
  const int64_t line_count = static_cast<int64_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  int64_t previous = 0;
  for (const CodeownersRule& r : c.rules()) {
    VIGIL_CHECK(r.line >= 1 && r.line <= line_count, "a rule line outside the file");
    VIGIL_CHECK(r.line > previous, "rules out of file order");
    previous = r.line;
    if (syntax == CodeownersSyntax::kGithub) {
      VIGIL_CHECK(r.section.empty() && !r.exclusion, "a GitHub rule with GitLab features");
    }
    for (const std::string& o : r.owners) {
      VIGIL_CHECK(!o.empty() && std::none_of(o.begin(), o.end(), IsSpace), "a bad owner word");
      VIGIL_CHECK(syntax == CodeownersSyntax::kGitlab || o.find('#') == std::string::npos,
                  "a GitHub owner holding a comment");
    }
    if (r.line <= 16) {
      Result<PathPattern> again = PathPattern::Parse(r.pattern.text());
      VIGIL_CHECK(again.ok(), "a rule's pattern text does not re-parse");
      for (const std::string& path : paths) {
        VIGIL_CHECK(again->Matches(path) == r.pattern.Matches(path), "re-parsed pattern differs");
      }
    }
  }
  previous = 0;
  for (const auto& issue : c.issues()) {
    VIGIL_CHECK(issue.line >= 1 && issue.line <= line_count, "an issue line outside the file");
    VIGIL_CHECK(issue.line >= previous, "issues out of file order");
    VIGIL_CHECK(!issue.reason.empty(), "an issue without a reason");
    previous = issue.line;
  }
  const Codeowners copy = c;
  for (const std::string& path : paths) {
    const std::vector<std::string> owners = c.OwnersOf(path);
    VIGIL_CHECK(owners == c.OwnersOf(path) && owners == copy.OwnersOf(path),
                "OwnersOf is not deterministic");
    std::vector<std::string> expected = BruteOwners(c, path);
    std::vector<std::string> got = owners;
    if (syntax == CodeownersSyntax::kGitlab) {
      std::sort(got.begin(), got.end());
    }
    VIGIL_CHECK(got == expected, "OwnersOf differs from brute force");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size > size_t{64} * 1024) {
    return 0;  // The parser is linear; large inputs only slow the search down.
  }
  std::vector<std::string_view> words = Words(text);
  if (words.size() > 16) {
    words.resize(16);  // Enough paths to reach every rule kind; more only slow the search.
  }
  std::vector<std::string> paths = {"a", "docs/a.md", "src/x/y.cc", "apps/github/x.rb"};
  for (std::string_view w : words) {
    std::string path = PathFrom(w);
    if (!path.empty()) {
      paths.push_back(path + "/f");
      paths.push_back(std::move(path));
    }
  }

  CheckCodeowners(text, CodeownersSyntax::kGithub, paths);
  CheckCodeowners(text, CodeownersSyntax::kGitlab, paths);

  for (std::string_view w : words) {
    Result<PathPattern> p = PathPattern::Parse(w);
    if (!p.ok()) {
      VIGIL_CHECK(!p.status().message().empty(), "an error without a reason");
      continue;
    }
    VIGIL_CHECK(p->text() == w, "text() is not the pattern");
    if (w.size() > 24 || std::count(w.begin(), w.end(), '*') > 4 ||
        w.find('\\') != std::string_view::npos) {
      continue;  // The naive matcher is exponential in stars and has no escapes.
    }
    for (const std::string& path : paths) {
      if (path.size() <= 48) {
        VIGIL_CHECK(p->Matches(path) == NaiveMatches(w, path), "PathPattern differs from naive");
      }
    }
  }
  return 0;
}
