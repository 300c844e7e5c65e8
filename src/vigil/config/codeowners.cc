// Codeowners: the CODEOWNERS line parser (GitHub and GitLab syntax) and the owner lookup.
// The rules it applies, and where they come from, are in docs/ownership.md.
#include "vigil/config/codeowners.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "vigil/core/text.h"

namespace vigil::config {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

bool IsAlnum(char c) {
  return core::IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// The first word of `s` (which starts with a non-space): up to the first whitespace that is
// not escaped by a backslash. Escapes stay in the word (PathPattern resolves them).
std::string_view FirstWord(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && !IsSpace(s[i])) {
    i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
  }
  return s.substr(0, i);
}

// Whitespace-separated words (owners have no escapes).
std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) {
      ++i;
    }
    const size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) {
      ++i;
    }
    if (i > start) {
      words.push_back(s.substr(start, i - start));
    }
  }
  return words;
}

// A GitHub user or organisation name: ASCII letters, digits, '-' and '_' (managed users).
bool IsAccountName(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '-' || c == '_'; });
}

// A team slug or GitLab group/user path segment: also '.'.
bool IsSlug(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// local@domain: local from RFC 5322 atext and '.', domain two or more labels of letters,
// digits and '-'.
bool IsEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  constexpr std::string_view kLocalPunct = ".!#$%&'*+/=?^_`{|}~-";
  const std::string_view local = s.substr(0, at);
  for (char c : local) {
    if (!IsAlnum(c) && kLocalPunct.find(c) == std::string_view::npos) {
      return false;
    }
  }
  std::string_view domain = s.substr(at + 1);
  int labels = 0;
  while (true) {
    const size_t dot = domain.find('.');
    const std::string_view label = domain.substr(0, dot);
    if (label.empty() ||
        !std::all_of(label.begin(), label.end(), [](char c) { return IsAlnum(c) || c == '-'; })) {
      return false;
    }
    ++labels;
    if (dot == std::string_view::npos) {
      break;
    }
    domain.remove_prefix(dot + 1);
  }
  return labels >= 2;
}

// GitHub: @user, @org/team, or an email.
bool IsGithubOwner(std::string_view s) {
  if (s.empty() || s.front() != '@') {
    return IsEmail(s);
  }
  s.remove_prefix(1);
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) {
    return IsAccountName(s);
  }
  return IsAccountName(s.substr(0, slash)) && IsSlug(s.substr(slash + 1));
}

// GitLab: @user, @group, @group/sub/group, @@developer / @@maintainer / @@owner (a plural 's'
// and any case accepted, as GitLab does), or an email.
bool IsGitlabOwner(std::string_view s) {
  if (s.empty() || s.front() != '@') {
    return IsEmail(s);
  }
  if (s.size() > 2 && s[1] == '@') {
    std::string_view role = s.substr(2);
    if (role.size() > 1 && core::AsciiLower(role.back()) == 's') {
      role.remove_suffix(1);
    }
    return core::EqualsIgnoreCase(role, "developer") ||
           core::EqualsIgnoreCase(role, "maintainer") || core::EqualsIgnoreCase(role, "owner");
  }
  s.remove_prefix(1);
  while (true) {
    const size_t slash = s.find('/');
    if (!IsSlug(s.substr(0, slash))) {
      return false;
    }
    if (slash == std::string_view::npos) {
      return true;
    }
    s.remove_prefix(slash + 1);
  }
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

// Builds a Codeowners line by line; one per Parse call.
class CodeownersParser {
 public:
  explicit CodeownersParser(CodeownersSyntax syntax) {
    out_.syntax_ = syntax;
    if (syntax == CodeownersSyntax::kGitlab) {
      section_names_.emplace_back();  // The unnamed section.
      out_.section_rules_.emplace_back();
    }
  }

  void Line(std::string_view line, int64_t line_no) {
    line_no_ = line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '#') {
      return;
    }
    const bool header = line.front() == '[' || StartsWith(line, "^[");
    if (IsGitlab()) {
      if (header) {
        Header(line);
      } else {
        GitlabEntry(line);
      }
    } else {
      if (header) {
        Issue("section headers ('[Name]') are GitLab syntax; line skipped");
        return;
      }
      GithubEntry(line);
    }
  }

  Codeowners Finish() && { return std::move(out_); }

 private:
  bool IsGitlab() const { return out_.syntax_ == CodeownersSyntax::kGitlab; }

  void Issue(std::string reason) {
    out_.issues_.push_back(CodeownersIssue{line_no_, std::move(reason)});
  }

  // GitHub: `pattern [owner ...] [# comment]`; any invalid part skips the whole line.
  void GithubEntry(std::string_view line) {
    const std::string_view word = FirstWord(line);
    if (StartsWith(word, "\\#")) {
      Issue("pattern " + core::QuoteForMessage(word) +
            ": GitHub does not support escaping '#' ('\\#'); line skipped");
      return;
    }
    Result<PathPattern> pattern = PathPattern::Parse(word);
    if (!pattern.ok()) {
      Issue(pattern.status().message() + "; line skipped");
      return;
    }
    std::string_view rest = line.substr(word.size());
    rest = rest.substr(0, rest.find('#'));  // An inline comment.
    std::vector<std::string> owners;
    for (std::string_view owner : Words(rest)) {
      if (!IsGithubOwner(owner)) {
        Issue("owner " + core::QuoteForMessage(owner) +
              " is not @user, @org/team or an email; line skipped");
        return;
      }
      owners.emplace_back(owner);
    }
    out_.rules_.push_back(
        CodeownersRule{*std::move(pattern), std::move(owners), line_no_, "", false});
  }

  // GitLab: `[!]pattern [owner ...]`; every word after the pattern is read (no inline
  // comments): owners are kept, other words ignored and reported.
  void GitlabEntry(std::string_view line) {
    std::string_view word = FirstWord(line);
    const bool exclusion = word.front() == '!';
    if (exclusion) {
      word.remove_prefix(1);
      if (word.empty()) {
        Issue("'!' without a pattern; line skipped");
        return;
      }
    }
    // GitLab floats every pattern without a leading '/', even one with a '/' inside.
    std::string text(word);
    const size_t slash = word.find('/');
    if (slash != std::string_view::npos && slash != 0 && slash + 1 != word.size() &&
        !StartsWith(word, "**/")) {
      text = "**/" + text;
    }
    Result<PathPattern> pattern = PathPattern::Parse(text);
    if (!pattern.ok()) {
      Issue(pattern.status().message() + "; line skipped");
      return;
    }
    const std::vector<std::string_view> words = Words(line.substr(FirstWord(line).size()));
    std::vector<std::string> owners;
    if (exclusion) {
      if (!words.empty()) {
        Issue("words after an exclusion pattern are ignored");
      }
    } else if (words.empty()) {
      owners = default_owners_;
      if (owners.empty()) {
        Issue(
            "no owners and no section default owners: matching files have no owner in "
            "this section");
      }
    } else {
      owners = ValidGitlabOwners(words);
    }
    out_.section_rules_[section_].push_back(out_.rules_.size());
    out_.rules_.push_back(CodeownersRule{*std::move(pattern), std::move(owners), line_no_,
                                         section_names_[section_], exclusion});
  }

  // The words that are GitLab owners; the others are reported as ignored.
  std::vector<std::string> ValidGitlabOwners(const std::vector<std::string_view>& words) {
    std::vector<std::string> owners;
    std::vector<std::string_view> ignored;
    for (std::string_view w : words) {
      if (IsGitlabOwner(w)) {
        owners.emplace_back(w);
      } else {
        ignored.push_back(w);
      }
    }
    if (!ignored.empty()) {
      std::string reason = "ignored " + core::QuoteForMessage(ignored.front());
      if (ignored.size() > 1) {
        reason += " and " + std::to_string(ignored.size() - 1) + " more";
      }
      reason += ": not @user, @group/subgroup, @@role or an email (GitLab has no inline comments)";
      Issue(std::move(reason));
    }
    return owners;
  }

  // GitLab: `[^][Name][approvals] [default owner ...]`.
  void Header(std::string_view line) {
    const bool optional = line.front() == '^';
    std::string_view rest = line.substr(optional ? 2 : 1);
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      Issue("section header without a closing ']'; line skipped");
      return;
    }
    const std::string_view name = rest.substr(0, close);
    rest.remove_prefix(close + 1);
    int64_t approvals = 0;
    if (!rest.empty() && rest.front() == '[') {
      const size_t end = rest.find(']');
      const std::string_view digits =
          end == std::string_view::npos ? std::string_view() : rest.substr(1, end - 1);
      if (end != std::string_view::npos && (digits.empty() || core::AllDigits(digits))) {
        for (char c : digits.substr(0, 9)) {
          approvals = approvals * 10 + (c - '0');
        }
        rest.remove_prefix(end + 1);
      }
    }
    if (Trim(name).empty()) {
      Issue("section header with an empty name; line skipped");
      return;
    }
    if (!rest.empty() && !IsSpace(rest.front())) {
      Issue("unexpected text " + core::QuoteForMessage(rest) +
            " after the section header; ignored");
      rest = {};
    }
    if (optional && approvals > 0) {
      Issue("an optional section ('^[...]') cannot require approvals; approvals ignored");
    }
    default_owners_ = ValidGitlabOwners(Words(rest));
    // Names are case-insensitive and repeated sections are one (with the first spelling).
    section_ = 0;
    for (size_t i = 1; i < section_names_.size(); ++i) {
      if (core::EqualsIgnoreCase(section_names_[i], name)) {
        section_ = i;
        break;
      }
    }
    if (section_ == 0) {
      section_ = section_names_.size();
      section_names_.emplace_back(name);
      out_.section_rules_.emplace_back();
    }
  }

  Codeowners out_;
  int64_t line_no_ = 0;
  // GitLab state: section names (index 0 the unnamed one), the current section and the
  // default owners of its latest header.
  std::vector<std::string> section_names_;
  size_t section_ = 0;
  std::vector<std::string> default_owners_;
};

Result<Codeowners> Codeowners::Parse(std::string_view text, CodeownersSyntax syntax) {
  if (text.size() >= kMaxCodeownersBytes) {
    return InvalidArgumentError("CODEOWNERS is " + std::to_string(text.size()) +
                                " bytes; a file of 3 MiB (" + std::to_string(kMaxCodeownersBytes) +
                                " bytes) or more is not loaded (GitHub's limit)");
  }
  if (StartsWith(text, kUtf8Bom)) {
    text.remove_prefix(kUtf8Bom.size());
  }
  CodeownersParser parser(syntax);
  int64_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    parser.Line(text.substr(start, end - start), ++line_no);
    start = end + 1;
  }
  return std::move(parser).Finish();
}

std::vector<std::string> Codeowners::OwnersOf(std::string_view path) const {
  std::vector<std::string> out;
  auto add = [&out](const std::vector<std::string>& owners) {
    for (const std::string& o : owners) {
      if (std::find(out.begin(), out.end(), o) == out.end()) {
        out.push_back(o);
      }
    }
  };
  if (syntax_ == CodeownersSyntax::kGithub) {
    for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
      if (it->pattern.Matches(path)) {
        add(it->owners);
        break;
      }
    }
    return out;
  }
  for (const std::vector<size_t>& section : section_rules_) {
    const CodeownersRule* last = nullptr;
    bool excluded = false;
    for (auto it = section.rbegin(); it != section.rend() && !excluded; ++it) {
      const CodeownersRule& rule = rules_[*it];
      if (rule.pattern.Matches(path)) {
        excluded = rule.exclusion;
        if (last == nullptr) {
          last = &rule;
        }
      }
    }
    if (last != nullptr && !excluded) {
      add(last->owners);
    }
  }
  return out;
}

}  // namespace vigil::config
