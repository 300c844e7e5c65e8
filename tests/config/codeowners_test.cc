// Tests of Codeowners: GitHub's syntax (the format sheet's example, last match wins, unowned
// lines, invalid lines with their numbers, the 3 MiB limit, BOM and CRLF) and GitLab's
// (sections, default owners, escapes, exclusions, floating paths, no inline comments).
#include "vigil/config/codeowners.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace vigil::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using Owners = std::vector<std::string>;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(vigil::testing::TestDataPath("codeowners/" + name), std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Codeowners ParseOk(std::string_view text, CodeownersSyntax syntax = CodeownersSyntax::kGithub) {
  Result<Codeowners> c = Codeowners::Parse(text, syntax);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) {
    return *Codeowners::Parse("");
  }
  return *std::move(c);
}

std::vector<int64_t> IssueLines(const Codeowners& c) {
  std::vector<int64_t> lines;
  for (const CodeownersIssue& issue : c.issues()) {
    lines.push_back(issue.line);
  }
  return lines;
}

std::vector<int64_t> RuleLines(const Codeowners& c) {
  std::vector<int64_t> lines;
  for (const CodeownersRule& rule : c.rules()) {
    lines.push_back(rule.line);
  }
  return lines;
}

struct OwnerCase {
  const char* path;
  Owners owners;
  const char* why;
};

// --- GitHub ----------------------------------------------------------------------------------

// The format sheet's example (coverage.md §6).
TEST(CodeownersGithubTest, FormatSheetExample) {
  const Codeowners c = ParseOk(
      "*            @acme/platform\n"
      "/services/payments/   @acme/payments   # money\n"
      "*.md         @acme/docs\n"
      "/services/payments/README.md\n");
  EXPECT_THAT(c.issues(), IsEmpty());
  EXPECT_THAT(RuleLines(c), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(c.rules()[1].owners, ElementsAre("@acme/payments"));  // "# money" is a comment.
  EXPECT_THAT(c.rules()[3].owners, IsEmpty());
  // Line 2 is the last match (line 3 is *.md).
  EXPECT_THAT(c.OwnersOf("services/payments/api.go"), ElementsAre("@acme/payments"));
  // Lines 1, 2, 3, 4 match; line 4 is last and has no owners.
  EXPECT_THAT(c.OwnersOf("services/payments/README.md"), IsEmpty());
  // Lines 1 and 3 match.
  EXPECT_THAT(c.OwnersOf("web/index.md"), ElementsAre("@acme/docs"));
  // Only line 1.
  EXPECT_THAT(c.OwnersOf("services/cart/cart.go"), ElementsAre("@acme/platform"));
}

// tests/data/codeowners/github_example: one rule per kind of pattern; each row names the
// rules (by line) that match and the last one, which decides.
TEST(CodeownersGithubTest, ExampleFileTable) {
  const Codeowners c = ParseOk(ReadFixture("github_example"));
  EXPECT_THAT(c.issues(), IsEmpty());
  EXPECT_THAT(RuleLines(c), ElementsAre(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13));
  const OwnerCase cases[] = {
      {"README", {"@global-owner1", "@global-owner2"}, "line 2 only"},
      {"src/app.js", {"@js-owner"}, "lines 2, 3; the inline comment is not an owner"},
      {"main.go", {"docs@example.com"}, "lines 2, 4: an email owner"},
      {"notes/todo.txt", {"@octo-org/octocats"}, "lines 2, 5: a team"},
      {"build/logs/x.log", {"@octocat"}, "lines 2, 6, 11 (**/logs)"},
      {"docs/getting-started.md", {"@doctocat"}, "lines 2, 7, 9 (/docs/)"},
      {"docs/build-app/troubleshooting.md", {"@doctocat"}, "lines 2, 9: docs/* is not nested"},
      {"web/apps/x.rb", {"@octocat"}, "lines 2, 8: apps/ at any depth"},
      {"scripts/deploy.sh", {"@doctocat", "@octocat"}, "lines 2, 10"},
      {"deeply/nested/logs/a.txt", {"@octocat"}, "lines 2, 5, 11"},
      {"apps/web/x.rb", {"@octocat"}, "lines 2, 8, 12"},
      {"apps/github/x.rb", {}, "lines 2, 8, 12, 13: /apps/github has no owners"},
      {"Apps/github/x.rb", {"@global-owner1", "@global-owner2"}, "case-sensitive: line 2"},
  };
  for (const OwnerCase& oc : cases) {
    EXPECT_EQ(c.OwnersOf(oc.path), oc.owners) << oc.path << ": " << oc.why;
  }
}

TEST(CodeownersGithubTest, LastMatchWinsWithoutMerging) {
  const Codeowners c = ParseOk(
      "src/ @a\n"
      "src/lib/ @b\n"
      "src/ @c @c\n");
  // Lines 1, 2, 3 match src/lib/x.cc: line 3 wins alone (duplicates collapse).
  EXPECT_THAT(c.OwnersOf("src/lib/x.cc"), ElementsAre("@c"));
  EXPECT_THAT(c.rules()[2].owners, ElementsAre("@c", "@c"));  // As written.
  // No rule matches.
  EXPECT_THAT(c.OwnersOf("README.md"), IsEmpty());
}

// tests/data/codeowners/github_invalid_lines: each invalid line is skipped and reported with
// its number; the rules around them stay.
TEST(CodeownersGithubTest, InvalidLinesAreSkippedAndReported) {
  const Codeowners c = ParseOk(ReadFixture("github_invalid_lines"));
  EXPECT_THAT(RuleLines(c), ElementsAre(2, 8, 10));
  ASSERT_THAT(IssueLines(c), ElementsAre(3, 4, 5, 6, 7, 9, 11));
  const std::vector<CodeownersIssue>& issues = c.issues();
  EXPECT_EQ(issues[0].reason,
            "pattern '!/vendor/': '!' negation is not supported (write '\\!' for a literal "
            "'!'); line skipped");
  EXPECT_THAT(issues[1].reason, HasSubstr("character ranges ('[...]') are not supported"));
  EXPECT_EQ(issues[2].reason,
            "pattern '\\#notes': GitHub does not support escaping '#' ('\\#'); line skipped");
  EXPECT_EQ(issues[3].reason, "owner 'user' is not @user, @org/team or an email; line skipped");
  EXPECT_EQ(issues[4].reason, "section headers ('[Name]') are GitLab syntax; line skipped");
  EXPECT_EQ(issues[5].reason,
            "owner '@org/team/sub' is not @user, @org/team or an email; line skipped");
  EXPECT_THAT(issues[6].reason, HasSubstr("three or more '*'"));
  // Skipped lines own nothing: vendor/ and lib/ fall back to line 2.
  EXPECT_THAT(c.OwnersOf("vendor/x.go"), ElementsAre("@everyone"));
  EXPECT_THAT(c.OwnersOf("lib/x.go"), ElementsAre("@everyone"));
  EXPECT_THAT(c.OwnersOf("api/x.go"), ElementsAre("@everyone"));  // @api's line is invalid.
  EXPECT_THAT(c.OwnersOf("tools/x.go"), ElementsAre("@tools"));
  EXPECT_THAT(c.OwnersOf("web/x.go"), ElementsAre("@web-team"));
}

TEST(CodeownersGithubTest, OwnerSyntax) {
  const char* valid[] = {"@user",          "@user-name_1", "@org/team",
                         "@org/team.name", "a@b.co",       "first.last+tag@mail.example.org"};
  const char* invalid[] = {"user",   "@",      "@org/",        "@/team", "@org/team/sub", "a@b",
                           "@user!", "a@@b.c", "@@maintainer", "@a@b.c", "a@b..c",        "a@.b.c"};
  for (const char* owner : valid) {
    const Codeowners c = ParseOk(std::string("x ") + owner);
    EXPECT_THAT(c.issues(), IsEmpty()) << owner;
    EXPECT_THAT(c.OwnersOf("x"), ElementsAre(owner));
  }
  for (const char* owner : invalid) {
    const Codeowners c = ParseOk(std::string("x ") + owner);
    EXPECT_THAT(IssueLines(c), ElementsAre(1)) << owner;
    EXPECT_THAT(c.rules(), IsEmpty()) << owner;
  }
}

TEST(CodeownersGithubTest, BomCrlfCommentsAndBlankLines) {
  const Codeowners c = ParseOk(
      "\xEF\xBB\xBF# comment\r\n"
      "\r\n"
      "   \t\r\n"
      "* @a\r\n"
      "  /docs/   @b\t@c  # trailing comment\r\n"
      "    # an indented comment\r\n"
      "/src/ @d");  // No final newline.
  EXPECT_THAT(c.issues(), IsEmpty());
  EXPECT_THAT(RuleLines(c), ElementsAre(4, 5, 7));
  EXPECT_EQ(c.rules()[0].pattern.text(), "*");                 // The BOM is not part of a pattern.
  EXPECT_THAT(c.OwnersOf("docs/x"), ElementsAre("@b", "@c"));  // No '\r' in owners.
  EXPECT_THAT(c.OwnersOf("src/x"), ElementsAre("@d"));
  EXPECT_THAT(c.OwnersOf("x"), ElementsAre("@a"));
}

TEST(CodeownersGithubTest, EmptyFileHasNoRules) {
  const Codeowners c = ParseOk("");
  EXPECT_THAT(c.rules(), IsEmpty());
  EXPECT_THAT(c.OwnersOf("a"), IsEmpty());
}

// GitHub does not load a file of 3 MB or more; vigil reads that as 3 MiB = 3145728 bytes.
TEST(CodeownersGithubTest, ThreeMebibyteLimit) {
  std::string text = "* @a\n";
  text += std::string(kMaxCodeownersBytes - 1 - text.size(), '#');
  ASSERT_EQ(text.size(), 3145727u);
  const Codeowners c = ParseOk(text);
  EXPECT_THAT(c.OwnersOf("x"), ElementsAre("@a"));
  text += '#';
  Result<Codeowners> too_big = Codeowners::Parse(text);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(too_big.status().message(),
            "CODEOWNERS is 3145728 bytes; a file of 3 MiB (3145728 bytes) or more is not loaded "
            "(GitHub's limit)");
}

// --- GitLab ----------------------------------------------------------------------------------

// tests/data/codeowners/gitlab_sections: each section finds its own last match; the owners of
// all sections are combined in section order.
TEST(CodeownersGitlabTest, SectionsTable) {
  const Codeowners c = ParseOk(ReadFixture("gitlab_sections"), CodeownersSyntax::kGitlab);
  EXPECT_THAT(RuleLines(c), ElementsAre(2, 5, 6, 9, 12, 13, 16, 17, 18, 21, 22, 23, 26));
  // Line 23: "@ruby # no inline comments: @commented is an owner too" holds two owners and
  // eight other words, which GitLab ignores.
  ASSERT_THAT(IssueLines(c), ElementsAre(23));
  EXPECT_EQ(c.issues()[0].reason,
            "ignored '#' and 7 more: not @user, @group/subgroup, @@role or an email (GitLab "
            "has no inline comments)");
  EXPECT_THAT(c.rules()[11].owners, ElementsAre("@ruby", "@commented"));
  // Sections: names as first spelled; [documentation] (line 25) joins [Documentation].
  EXPECT_EQ(c.rules()[0].section, "");
  EXPECT_EQ(c.rules()[1].section, "README Owners");
  EXPECT_EQ(c.rules()[6].section, "Database");
  EXPECT_EQ(c.rules()[12].section, "Documentation");
  // Default owners fill entries without owners (lines 12, 16).
  EXPECT_THAT(c.rules()[4].owners, ElementsAre("@docs-team"));
  EXPECT_THAT(c.rules()[6].owners, ElementsAre("@database-team", "@agarcia"));
  // Line 18 is an exclusion; line 6 floats (GitLab), so its pattern gets a leading **/.
  EXPECT_TRUE(c.rules()[8].exclusion);
  EXPECT_EQ(c.rules()[2].pattern.text(), "**/internal/README.md");
  EXPECT_EQ(c.rules()[0].pattern.text(), "*");

  const OwnerCase cases[] = {
      {"README.md",
       {"@admin", "@user1", "@user2", "@user3"},
       "unnamed: line 2; README Owners: line 5; README other owners: line 9"},
      {"internal/README.md",
       {"@admin", "@user4", "@user3"},
       "GitLab's own example: README Owners' last match is line 6"},
      {"docs/internal/README.md",
       {"@admin", "@user4", "@user3", "@docs-team"},
       "line 6 floats; Documentation: line 12 (docs/ with the default owner)"},
      {"ee/docs/a.md", {"@admin", "@product-team"}, "Documentation: lines 12, 13; 13 is last"},
      {"model/db/schema.rb",
       {"@admin", "@database-team", "@agarcia", "@ruby", "@commented"},
       "Database: line 16 (defaults); Escapes: line 23"},
      {"model/db/generated/x.rb",
       {"@admin", "@ruby", "@commented"},
       "Database: line 18 excludes; Escapes: line 23"},
      {"config/db/database-setup.md",
       {"@admin", "@docs-team"},
       "Database: line 17 overrides the default owners"},
      {"#notes.txt", {"@admin", "@pound"}, "Escapes: line 21, \\# escape"},
      {"path with spaces/a.txt", {"@admin", "@space-owner"}, "Escapes: line 22, \\  escape"},
      {"guide.md", {"@admin", "@guide"}, "Documentation (line 26 via [documentation])"},
      {"web/docs/guide.md", {"@admin", "@guide"}, "Documentation: lines 12, 26; 26 is last"},
  };
  for (const OwnerCase& oc : cases) {
    EXPECT_EQ(c.OwnersOf(oc.path), oc.owners) << oc.path << ": " << oc.why;
  }
}

TEST(CodeownersGitlabTest, OwnersOfAllSectionsAreDeduplicated) {
  const Codeowners c = ParseOk(
      "* @a\n"
      "[S1]\n"
      "*.md @a @b\n"
      "[S2]\n"
      "*.md @b @c\n",
      CodeownersSyntax::kGitlab);
  EXPECT_THAT(c.OwnersOf("x.md"), ElementsAre("@a", "@b", "@c"));
  EXPECT_THAT(c.OwnersOf("x.txt"), ElementsAre("@a"));
}

TEST(CodeownersGitlabTest, BadHeadersAreReported) {
  const Codeowners c = ParseOk(
      "[Unclosed\n"
      "[]\n"
      "^[Opt][3] @o\n"
      "* \n"
      "[Ok]junk\n"
      "*.md @x\n"
      "[S] @bad! @good\n"
      "/x/\n",
      CodeownersSyntax::kGitlab);
  ASSERT_THAT(IssueLines(c), ElementsAre(1, 2, 3, 5, 7));
  EXPECT_EQ(c.issues()[0].reason, "section header without a closing ']'; line skipped");
  EXPECT_EQ(c.issues()[1].reason, "section header with an empty name; line skipped");
  EXPECT_EQ(c.issues()[2].reason,
            "an optional section ('^[...]') cannot require approvals; approvals ignored");
  EXPECT_EQ(c.issues()[3].reason, "unexpected text 'junk' after the section header; ignored");
  EXPECT_THAT(c.issues()[4].reason, HasSubstr("ignored '@bad!'"));
  ASSERT_THAT(RuleLines(c), ElementsAre(4, 6, 8));
  // Line 4 is in [Opt] (line 3) and takes its default owner.
  EXPECT_EQ(c.rules()[0].section, "Opt");
  EXPECT_THAT(c.rules()[0].owners, ElementsAre("@o"));
  EXPECT_EQ(c.rules()[1].section, "Ok");
  EXPECT_THAT(c.rules()[2].owners, ElementsAre("@good"));
  EXPECT_THAT(c.OwnersOf("x/y.md"), ElementsAre("@o", "@x", "@good"));
}

// GitLab's example: "/special/*.rb @ruby-owner ... won't take effect as *.rb is already
// excluded"; the exclusion is confined to its section.
TEST(CodeownersGitlabTest, ExclusionWinsOverEveryRuleOfItsSection) {
  const Codeowners c = ParseOk(
      "* @default-owner\n"
      "!*.rb @ignored\n"
      "/special/*.rb @ruby-owner\n"
      "[Ruby]\n"
      "*.rb @ruby-team\n",
      CodeownersSyntax::kGitlab);
  ASSERT_THAT(IssueLines(c), ElementsAre(2));
  EXPECT_EQ(c.issues()[0].reason, "words after an exclusion pattern are ignored");
  EXPECT_TRUE(c.rules()[1].exclusion);
  EXPECT_THAT(c.rules()[1].owners, IsEmpty());
  // Unnamed section: lines 1, 2 (exclusion), 3 match: nothing. [Ruby]: line 5.
  EXPECT_THAT(c.OwnersOf("special/x.rb"), ElementsAre("@ruby-team"));
  // Unnamed section: line 1 only.
  EXPECT_THAT(c.OwnersOf("special/x.go"), ElementsAre("@default-owner"));
}

TEST(CodeownersGitlabTest, EntryWithoutOwnersOrDefaultsIsUnownedInItsSection) {
  const Codeowners c = ParseOk(
      "[S]\n"
      "* @s\n"
      "/vendor/\n",
      CodeownersSyntax::kGitlab);
  ASSERT_THAT(IssueLines(c), ElementsAre(3));
  EXPECT_THAT(c.issues()[0].reason, HasSubstr("no owners and no section default owners"));
  EXPECT_THAT(c.OwnersOf("vendor/x"), IsEmpty());  // Line 3 is the section's last match.
  EXPECT_THAT(c.OwnersOf("src/x"), ElementsAre("@s"));
}

// The same text read both ways: GitLab floats `internal/README.md`, has sections, escapes and
// roles, and has no inline comments; GitHub anchors, rejects headers and `\#`.
TEST(CodeownersGitlabTest, DiffersFromGithubWhereDocumented) {
  const std::string text =
      "internal/README.md @x\n"
      "\\#a.txt @hash\n"
      "*.md @md # @commented\n"
      "[Docs]\n"
      "docs/ @@maintainer\n";
  const Codeowners github = ParseOk(text);
  const Codeowners gitlab = ParseOk(text, CodeownersSyntax::kGitlab);
  EXPECT_THAT(IssueLines(github), ElementsAre(2, 4, 5));  // \#, [Docs], @@maintainer.
  EXPECT_THAT(IssueLines(gitlab), ElementsAre(3));        // '#' ignored.
  EXPECT_THAT(github.OwnersOf("docs/internal/README.md"), ElementsAre("@md"));
  EXPECT_THAT(gitlab.OwnersOf("docs/internal/README.md"),
              ElementsAre("@md", "@commented", "@@maintainer"));
  EXPECT_THAT(gitlab.OwnersOf("internal/README.txt"), IsEmpty());
  EXPECT_THAT(gitlab.OwnersOf("#a.txt"), ElementsAre("@hash"));
  EXPECT_THAT(github.OwnersOf("#a.txt"), IsEmpty());
}

TEST(CodeownersGitlabTest, OwnerSyntax) {
  const char* valid[] = {"@user",        "@group/sub/team", "@@maintainer",
                         "@@Developers", "@@owner",         "a@b.co"};
  const char* invalid[] = {"@@admin", "user", "#", "@group//team", "@@"};
  for (const char* owner : valid) {
    const Codeowners c = ParseOk(std::string("x ") + owner, CodeownersSyntax::kGitlab);
    EXPECT_THAT(c.issues(), IsEmpty()) << owner;
    EXPECT_THAT(c.OwnersOf("x"), ElementsAre(owner));
  }
  for (const char* owner : invalid) {
    const Codeowners c = ParseOk(std::string("x ") + owner, CodeownersSyntax::kGitlab);
    EXPECT_THAT(IssueLines(c), ElementsAre(1)) << owner;
    EXPECT_THAT(c.OwnersOf("x"), IsEmpty()) << owner;  // Words, but none an owner.
  }
}

}  // namespace
}  // namespace vigil::config
