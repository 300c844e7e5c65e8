#include "vigil/ingest/routes.h"

#include <string>

#include "test_util.h"

namespace vigil::ingest {
namespace {

TEST(RequestPathTest, StripsQueryFragmentHostAndTrailingSlash) {
  struct Case {
    const char* target;
    const char* path;
  } cases[] = {
      {"/api/items/42?x=1", "/api/items/42"},
      {"/api/items/", "/api/items"},
      {"/", "/"},
      {"", "/"},
      {"/a//", "/a"},
      {"/a#frag", "/a"},
      {"http://example.com/a/b?q", "/a/b"},
      {"https://example.com", "/"},
      {"/Case/Kept", "/Case/Kept"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RequestPath(c.target), c.path) << c.target;
  }
}

TEST(IsIdSegmentTest, NumbersUuidsAndLongHex) {
  struct Case {
    const char* segment;
    bool id;
  } cases[] = {
      {"42", true},
      {"0", true},
      {"123e4567-e89b-12d3-a456-426614174000", true},
      {"123E4567-E89B-12D3-A456-426614174000", true},
      {"0123456789abcdef", true},  // 16 hex digits
      {"0123456789abcde", false},  // 15: a word may be that long
      {"deadbeefdeadbeefdeadbeefdeadbeef", true},
      {"items", false},
      {"v2", false},
      {"", false},
      {"12a", false},
      {"123e4567-e89b-12d3-a456-42661417400g", false},
      {"123e4567xe89b-12d3-a456-426614174000", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsIdSegment(c.segment), c.id) << c.segment;
  }
}

TEST(AutomaticRouteTest, ReplacesIdSegments) {
  struct Case {
    const char* method;
    const char* path;
    const char* route;
  } cases[] = {
      {"GET", "/api/items/42", "GET /api/items/:id"},
      {"PUT", "/api/carts/123e4567-e89b-12d3-a456-426614174000/lines/7",
       "PUT /api/carts/:id/lines/:id"},
      {"GET", "/", "GET /"},
      {"GET", "/static/app.js", "GET /static/app.js"},
      {"DELETE", "/a//b", "DELETE /a//b"},
  };
  std::string out = "leftover";
  for (const Case& c : cases) {
    AutomaticRoute(c.method, c.path, &out);
    EXPECT_EQ(out, c.route) << c.path;
  }
}

TEST(IsMethodTokenTest, Tokens) {
  EXPECT_TRUE(IsMethodToken("GET"));
  EXPECT_TRUE(IsMethodToken("PROPFIND"));
  EXPECT_FALSE(IsMethodToken(""));
  EXPECT_FALSE(IsMethodToken("\x16\x03"));
  EXPECT_FALSE(IsMethodToken("GE T"));
}

TEST(RoutePatternTest, MatchesSegments) {
  struct Case {
    const char* pattern;
    const char* path;
    bool match;
  } cases[] = {
      {"/api/checkout", "/api/checkout", true},
      {"/api/checkout", "/api/checkout/x", false},
      {"/api/checkout", "/api", false},
      {"/api/items/:id", "/api/items/42", true},
      {"/api/items/{id}", "/api/items/abc", true},
      {"/api/items/*", "/api/items/abc", true},
      {"/api/items/*", "/api/items", false},
      {"/api/items/:id", "/api/items/42/reviews", false},
      {"/api/**", "/api", true},
      {"/api/**", "/api/a/b/c", true},
      {"/api/**", "/apix", false},
      {"/**", "/anything/at/all", true},
      {"/", "/", true},
      {"/", "/a", false},
      {"/API/x", "/api/x", false},  // case-sensitive
  };
  for (const Case& c : cases) {
    Result<RoutePattern> p = RoutePattern::Compile(c.pattern);
    ASSERT_OK(p);
    EXPECT_EQ(p->Matches(c.path), c.match) << c.pattern << " vs " << c.path;
  }
}

TEST(RoutePatternTest, RejectsBadPatterns) {
  EXPECT_FALSE(RoutePattern::Compile("api").ok());
  EXPECT_FALSE(RoutePattern::Compile("").ok());
  EXPECT_FALSE(RoutePattern::Compile("/a/**/b").ok());
}

}  // namespace
}  // namespace vigil::ingest
