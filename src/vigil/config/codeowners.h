// Codeowners: a CODEOWNERS file parsed into rules, and the owners of a repository path.
//
// Owns: the CODEOWNERS line syntax (GitHub's, and GitLab's behind CodeownersSyntax::kGitlab),
// owner validation, and the owner lookup (GitHub: last match wins; GitLab: per section).
// Does not own: the pattern language (path_pattern.h) or where the file is found. The rules
// are in docs/ownership.md. A Codeowners is an immutable value; its const methods are safe
// from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/config/path_pattern.h"
#include "vigil/core/status.h"

namespace vigil::config {

enum class CodeownersSyntax { kGithub, kGitlab };

// GitHub does not load a CODEOWNERS file of 3 MB or more (read here as 3 MiB).
inline constexpr size_t kMaxCodeownersBytes = size_t{3} * 1024 * 1024;

struct CodeownersRule {
  // GitLab: a pattern without a leading '/' that has a '/' inside floats, as GitLab documents
  // (`internal/README.md` matches `docs/internal/README.md`): it is parsed as `**/` + pattern.
  PathPattern pattern;
  // "@org/team", "@user", "a@b.c" as written; empty = unowned. GitLab: an entry without owners
  // gets its section's default owners; "@@role" and nested "@group/sub/team" are owners too.
  std::vector<std::string> owners;
  int64_t line = 0;        // 1-based
  std::string section;     // GitLab section name (first spelling); "" for GitHub and GitLab's
                           // unnamed section (the lines before the first header)
  bool exclusion = false;  // GitLab `!pattern`: a matching file has no owner in this section
};

// A line vigil could not take as written. GitHub: the line was skipped. GitLab: bad headers
// and bad patterns were skipped; words that are not owners were ignored and the rest of the
// line kept, and an entry without any owner kept (unowned in its section), as GitLab does.
// `reason` ends with what happened ("line skipped", "ignored", ...).
struct CodeownersIssue {
  int64_t line = 0;
  std::string reason;
};

class Codeowners {
 public:
  // Parses a whole CODEOWNERS file: a UTF-8 BOM, CRLF, blank lines and `#` comment lines are
  // accepted; GitHub also ends a line at a '#' after the pattern (inline comment); GitLab
  // reads `[Section]`, `^[Optional]`, `[Name][2] @default-owner` headers, `\#` and `\ `
  // escapes and `!pattern` exclusions, and has no inline comments. Errors: kInvalidArgument
  // only for a text of kMaxCodeownersBytes or more; invalid lines are skipped into issues().
  static Result<Codeowners> Parse(std::string_view text,
                                  CodeownersSyntax syntax = CodeownersSyntax::kGithub);

  // The owners of a repository-relative file path (no leading '/'; see PathPattern::Matches).
  // GitHub: the last matching rule's owners (empty when no rule matches or it has none).
  // GitLab: for each section, its last matching rule (none if a matching rule of the section
  // is an exclusion); the union of their owners in section order. Both: de-duplicated, in
  // first-seen order.
  std::vector<std::string> OwnersOf(std::string_view path) const;

  // Rules in file order.
  const std::vector<CodeownersRule>& rules() const { return rules_; }
  // Issues in file order.
  const std::vector<CodeownersIssue>& issues() const { return issues_; }
  CodeownersSyntax syntax() const { return syntax_; }

 private:
  Codeowners() = default;
  friend class CodeownersParser;  // codeowners.cc: builds the rules line by line.

  CodeownersSyntax syntax_ = CodeownersSyntax::kGithub;
  std::vector<CodeownersRule> rules_;
  std::vector<CodeownersIssue> issues_;
  // GitLab: indexes into rules_, one list per section (case-insensitive name), sections in
  // order of first appearance, the unnamed one first.
  std::vector<std::vector<size_t>> section_rules_;
};

}  // namespace vigil::config
