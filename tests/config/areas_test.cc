#include "vigil/config/areas.h"

#include <string>

#include "test_util.h"

#include "vigil/config/config.h"

namespace vigil::config {
namespace {

constexpr std::string_view kAreas = R"(areas:
  - name: checkout
    paths: [services/checkout/, "web/src/cart/**"]
  - name: payments
    paths: services/payments/
  - name: docs-anywhere
    paths: ["*.md"]
ownership:
  codeowners: .github/CODEOWNERS
  syntax: gitlab
)";

TEST(AreasConfigTest, ReadsAreasAndOwnershipInFileOrder) {
  Result<Config> c = ParseConfig(kAreas, "vigil.yaml");
  ASSERT_OK(c);
  ASSERT_EQ(c->areas.size(), 3u);
  EXPECT_EQ(c->areas[0].name, "checkout");
  EXPECT_EQ(c->areas[0].paths, (std::vector<std::string>{"services/checkout/", "web/src/cart/**"}));
  EXPECT_EQ(c->areas[1].paths, (std::vector<std::string>{"services/payments/"}));
  EXPECT_EQ(c->ownership.codeowners, ".github/CODEOWNERS");
  EXPECT_TRUE(c->ownership.gitlab);
}

TEST(AreasConfigTest, TheInitTextHasNoAreasAndGithubOwnership) {
  Result<Config> c = ParseConfig(InitConfigText(), "vigil.yaml");
  ASSERT_OK(c);
  EXPECT_TRUE(c->areas.empty());
  EXPECT_EQ(c->ownership.codeowners, "");
  EXPECT_FALSE(c->ownership.gitlab);
}

TEST(AreasConfigTest, ReportsBadAreasWithTheirLines) {
  Result<Config> c = ParseConfig(R"(areas:
  - name: a
    paths: ["!negated"]
  - name: a
    paths: [x/]
  - name: b
  - name: c
    globs: [y/]
ownership:
  syntax: bitbucket
)",
                                 "vigil.yaml");
  ASSERT_FALSE(c.ok());
  const std::string m = c.status().message();
  EXPECT_THAT(m, ::testing::HasSubstr("vigil.yaml:3: areas[0].paths[0]: pattern '!negated': '!' "
                                      "negation is not supported"));
  EXPECT_THAT(m, ::testing::HasSubstr("vigil.yaml:4: areas[1].name: duplicate area \"a\" (first "
                                      "at line 2)"));
  EXPECT_THAT(m, ::testing::HasSubstr("vigil.yaml:6: areas[2]: missing required key \"paths\""));
  EXPECT_THAT(m, ::testing::HasSubstr("vigil.yaml:8: areas[3].globs: unknown key \"globs\"; did "
                                      "you mean \"paths\"?"));
  EXPECT_THAT(m, ::testing::HasSubstr("vigil.yaml:10: ownership.syntax: must be github or gitlab"));
}

TEST(AreaMapTest, TheFirstMatchingAreaInConfigOrderWins) {
  Result<Config> c = ParseConfig(kAreas, "vigil.yaml");
  ASSERT_OK(c);
  Result<AreaMap> areas = AreaMap::Build(c->areas);
  ASSERT_OK(areas);
  EXPECT_EQ(areas->AreaOf("services/checkout/api/handler.go"), "checkout");
  EXPECT_EQ(areas->AreaOf("web/src/cart/Cart.tsx"), "checkout");
  EXPECT_EQ(areas->AreaOf("services/payments/charge.go"), "payments");
  // README.md of checkout: checkout comes first in the file, so it wins over docs-anywhere.
  EXPECT_EQ(areas->AreaOf("services/checkout/README.md"), "checkout");
  EXPECT_EQ(areas->AreaOf("docs/intro.md"), "docs-anywhere");
  EXPECT_EQ(areas->AreaOf("services/catalog/main.go"), "");
  EXPECT_TRUE(AreaMap().empty());
  EXPECT_EQ(AreaMap().AreaOf("x"), "");
}

}  // namespace
}  // namespace vigil::config
