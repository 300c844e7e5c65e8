#include "vigil/config/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace vigil::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::filesystem::path> Fixtures(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry :
       std::filesystem::directory_iterator(vigil::testing::TestDataPath("config/" + dir))) {
    if (entry.path().extension() == ".yaml") {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Config ParseOk(std::string_view text) {
  Result<Config> c = ParseConfig(text, "test.yaml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Config{};
}

std::string ErrorOf(std::string_view text) {
  Result<Config> c = ParseConfig(text, "test.yaml");
  EXPECT_FALSE(c.ok()) << text;
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  return c.status().message();
}

core::LatencyUs Ms(int64_t ms) {
  return core::LatencyUs::FromMicros(ms * 1000);
}

// --- Fixtures ------------------------------------------------------------------------------

// Every file in valid/ parses.
TEST(ConfigFixtureTest, EveryValidFixtureParses) {
  auto files = Fixtures("valid");
  ASSERT_GE(files.size(), 8u);
  for (const auto& path : files) {
    Result<Config> c = LoadConfig(path.string());
    EXPECT_TRUE(c.ok()) << path.filename() << ": " << c.status().ToString();
  }
}

// Every file in malformed/ fails with exactly the errors its "# expect: <line>: <message>"
// comments list, in order.
TEST(ConfigFixtureTest, EveryMalformedFixtureFailsWithItsExpectedErrors) {
  auto files = Fixtures("malformed");
  ASSERT_GE(files.size(), 20u);
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    const std::string text = ReadFile(path);
    std::string expected;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      constexpr std::string_view kPrefix = "# expect: ";
      if (line.rfind(kPrefix, 0) == 0) {
        if (!expected.empty()) {
          expected += '\n';
        }
        expected += name + ":" + line.substr(kPrefix.size());
      }
    }
    ASSERT_FALSE(expected.empty()) << name << " has no \"# expect:\" line";
    Result<Config> c = ParseConfig(text, name);
    ASSERT_FALSE(c.ok()) << name;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(c.status().message(), expected) << name;
  }
}

TEST(ConfigFixtureTest, FullExampleReadsEveryField) {
  const std::string path = vigil::testing::TestDataPath("config/valid/full.yaml");
  Result<Config> c = LoadConfig(path);
  ASSERT_OK(c);
  EXPECT_EQ(c->source, path);
  EXPECT_EQ(c->store.url, "sqlite:///var/lib/vigil/vigil.db");
  EXPECT_EQ(c->store.sketch_relative_accuracy, 0.005);
  EXPECT_EQ(c->store.retention, core::Duration::Days(90));
  EXPECT_EQ(c->store.sketch_downsample_after, core::Duration::Days(3));
  EXPECT_EQ(c->ingest.reorder_horizon, core::Duration::Minutes(2));
  EXPECT_EQ(c->ingest.route_cap, 1000);
  EXPECT_EQ(c->default_service, "web");
  ASSERT_EQ(c->services.size(), 2u);

  const Service& web = c->services[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.environment, "production");
  ASSERT_EQ(web.journeys.size(), 3u);
  const Journey& checkout = web.journeys[0];
  EXPECT_EQ(checkout.name, "checkout");
  EXPECT_EQ(checkout.methods, std::vector<std::string>{"POST"});
  EXPECT_EQ(checkout.route, "/api/checkout/**");
  EXPECT_EQ(checkout.slo.availability, 0.999);
  ASSERT_EQ(checkout.slo.latency.size(), 2u);
  EXPECT_EQ(checkout.slo.latency[0], (LatencyObjective{Ms(800), 0.99}));
  EXPECT_EQ(checkout.slo.latency[1], (LatencyObjective{Ms(2000), 0.999}));
  EXPECT_EQ(checkout.slo.window, core::Duration::Days(28));

  const Journey& product = web.journeys[1];
  EXPECT_EQ(product.methods, (std::vector<std::string>{"GET", "HEAD"}));  // Upper-cased.
  EXPECT_EQ(product.route, "/products/:id");
  EXPECT_FALSE(product.slo.availability.has_value());
  EXPECT_EQ(product.slo.latency, (std::vector<LatencyObjective>{{Ms(300), 0.95}}));
  EXPECT_EQ(product.slo.window, core::Duration::Days(28));

  const Journey& search = web.journeys[2];
  EXPECT_TRUE(search.methods.empty());  // Any method.
  EXPECT_EQ(search.slo, Slo{});         // No objectives.

  const Service& payments = c->services[1];
  EXPECT_EQ(payments.environment, "");
  ASSERT_EQ(payments.journeys.size(), 1u);
  EXPECT_EQ(payments.journeys[0].route, "/v1/charges/{id}/capture");
  EXPECT_EQ(payments.journeys[0].slo.availability, 0.9995);

  EXPECT_EQ(c->FindService("payments"), &c->services[1]);
  EXPECT_EQ(c->FindService("nope"), nullptr);
}

TEST(ConfigFixtureTest, EmptyAndCommentOnlyFilesAreTheDefaults) {
  for (const char* name : {"empty.yaml", "comments_only.yaml"}) {
    const std::string path = vigil::testing::TestDataPath(std::string("config/valid/") + name);
    Result<Config> c = LoadConfig(path);
    ASSERT_OK(c);
    Config expected = DefaultConfig();
    expected.source = path;
    EXPECT_EQ(*c, expected) << name;
  }
}

TEST(ConfigFixtureTest, EmptyValuesTakeTheirDefaults) {
  Result<Config> c = LoadConfig(vigil::testing::TestDataPath("config/valid/empty_values.yaml"));
  ASSERT_OK(c);
  EXPECT_EQ(c->store, StoreSettings{});
  EXPECT_EQ(c->ingest, IngestSettings{});
  EXPECT_EQ(c->default_service, "");
  ASSERT_EQ(c->services.size(), 1u);
  EXPECT_EQ(c->services[0].environment, "");
  ASSERT_EQ(c->services[0].journeys.size(), 1u);
  EXPECT_TRUE(c->services[0].journeys[0].methods.empty());
  EXPECT_EQ(c->services[0].journeys[0].slo, Slo{});
}

TEST(ConfigFixtureTest, FlowStyleAndAnchorsReadLikeBlockStyle) {
  Result<Config> flow = LoadConfig(vigil::testing::TestDataPath("config/valid/flow_style.yaml"));
  ASSERT_OK(flow);
  EXPECT_EQ(flow->store.url, "data/vigil.db");
  ASSERT_EQ(flow->services.size(), 1u);
  const Journey& login = flow->services[0].journeys.at(0);
  EXPECT_EQ(login.slo.availability, 0.995);
  EXPECT_EQ(login.slo.latency, (std::vector<LatencyObjective>{{Ms(250), 0.9}}));

  Result<Config> anchors = LoadConfig(vigil::testing::TestDataPath("config/valid/anchors.yaml"));
  ASSERT_OK(anchors);
  const auto& journeys = anchors->services.at(0).journeys;
  ASSERT_EQ(journeys.size(), 2u);
  EXPECT_EQ(journeys[0].slo, journeys[1].slo);
  EXPECT_EQ(journeys[1].slo.availability, 0.999);
}

TEST(ConfigFixtureTest, ThresholdUnitsAndWindows) {
  Result<Config> c = LoadConfig(vigil::testing::TestDataPath("config/valid/units.yaml"));
  ASSERT_OK(c);
  const auto& journeys = c->services.at(0).journeys;
  ASSERT_EQ(journeys.size(), 2u);
  EXPECT_EQ(journeys[0].methods, std::vector<std::string>{"GET"});  // A single method.
  EXPECT_EQ(journeys[0].slo.latency,
            (std::vector<LatencyObjective>{{core::LatencyUs::FromMicros(250), 0.9},
                                           {core::LatencyUs::FromMicros(1500), 0.99},
                                           {Ms(250), 0.9999},
                                           {Ms(1000), 0.99999}}));
  EXPECT_EQ(journeys[0].slo.window, core::Duration::Hours(72));
  EXPECT_EQ(journeys[1].slo.window, core::Duration::Days(7));
  EXPECT_EQ(c->LatencyThresholds("cache"),
            (std::vector<core::LatencyUs>{core::LatencyUs::FromMicros(250),
                                          core::LatencyUs::FromMicros(1500), Ms(250), Ms(1000)}));
}

TEST(ConfigFixtureTest, RoutePatternsAreKeptAsWritten) {
  Result<Config> c = LoadConfig(vigil::testing::TestDataPath("config/valid/route_patterns.yaml"));
  ASSERT_OK(c);
  std::vector<std::string> routes;
  for (const Journey& j : c->services.at(0).journeys) {
    routes.push_back(j.route);
  }
  EXPECT_EQ(routes,
            (std::vector<std::string>{"/", "/users/:id", "/orders/{order_id}/items/{item}",
                                      "/files/*/meta", "/static/**", "/v1/items:batchGet", "/**"}));
}

TEST(ConfigFixtureTest, DefaultServiceNeedsNoServicesList) {
  Result<Config> c =
      LoadConfig(vigil::testing::TestDataPath("config/valid/default_service_only.yaml"));
  ASSERT_OK(c);
  EXPECT_EQ(c->default_service, "storefront");
  EXPECT_TRUE(c->services.empty());
}

// --- Init text and defaults ----------------------------------------------------------------

TEST(InitConfigTextTest, ParsesToTheDefaults) {
  Result<Config> c = ParseConfig(InitConfigText(), "vigil.yaml");
  ASSERT_OK(c);
  Config expected = DefaultConfig();
  expected.source = "vigil.yaml";
  EXPECT_EQ(*c, expected);
}

TEST(InitConfigTextTest, ItsCommentedExampleParsesWhenUncommented) {
  // Uncomment the examples: drop "services: []" and "areas: []", and the "# " before each
  // example line up to the next blank line.
  std::istringstream in(InitConfigText());
  std::string text;
  bool in_example = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "services: []" || line == "areas: []") {
      in_example = true;
      continue;
    }
    if (line.empty()) {
      in_example = false;
    }
    if (in_example && line.rfind("# ", 0) == 0) {
      line = line.substr(2);
    }
    text += line + "\n";
  }
  Config c = ParseOk(text);
  ASSERT_EQ(c.areas.size(), 2u);
  EXPECT_EQ(c.areas[1].paths, std::vector<std::string>{"services/catalog/**/*.go"});
  ASSERT_EQ(c.services.size(), 1u);
  EXPECT_EQ(c.services[0].name, "web");
  ASSERT_EQ(c.services[0].journeys.size(), 2u);
  EXPECT_EQ(c.services[0].journeys[0].slo.availability, 0.999);
  EXPECT_EQ(c.LatencyThresholds("web"), (std::vector<core::LatencyUs>{Ms(300), Ms(800), Ms(1000)}));
}

TEST(InitConfigTextTest, MentionsEverySetting) {
  const std::string text = InitConfigText();
  for (const char* key :
       {"url:", "sketch_relative_accuracy:", "retention:", "sketch_downsample_after:",
        "reorder_horizon:", "route_cap:", "default_service:", "services:", "environment:",
        "journeys:", "methods:", "route:", "slo:", "availability:", "latency:", "threshold:",
        "target:", "window:"}) {
    EXPECT_THAT(text, HasSubstr(key));
  }
}

TEST(DefaultConfigTest, HasTheDocumentedDefaults) {
  Config c = DefaultConfig();
  EXPECT_EQ(c.source, "");
  EXPECT_EQ(c.default_service, "");
  EXPECT_TRUE(c.services.empty());
  EXPECT_EQ(c.ingest.reorder_horizon, core::Duration::Minutes(5));
  EXPECT_EQ(c.ingest.route_cap, 500);
  EXPECT_EQ(c.store.url, "");
  EXPECT_EQ(c.store.sketch_relative_accuracy, 0.01);
  EXPECT_EQ(c.store.retention, core::Duration::Days(400));
  EXPECT_EQ(c.store.sketch_downsample_after, core::Duration::Days(8));
}

// --- Values --------------------------------------------------------------------------------

std::string WithAvailability(const std::string& value) {
  return "services:\n  - name: web\n    journeys:\n      - name: a\n        route: /a\n"
         "        slo:\n          availability: " +
         value + "\n";
}

TEST(PercentTest, PercentAndFractionGiveTheSameDouble) {
  struct Case {
    const char* text;
    double expected;
  };
  const Case cases[] = {
      {"99.9%", 0.999},     {"0.999", 0.999}, {"99.95%", 0.9995}, {"99.99%", 0.9999},
      {"99.999%", 0.99999}, {"95%", 0.95},    {"5%", 0.05},       {"0.5%", 0.005},
      {".5", 0.5},          {"50%", 0.5},     {"1e-3", 0.001},    {"\"99.9%\"", 0.999},
      {"099.9%", 0.999},    {"0.1%", 0.001},
  };
  for (const Case& c : cases) {
    Config config = ParseOk(WithAvailability(c.text));
    ASSERT_EQ(config.services.size(), 1u) << c.text;
    EXPECT_EQ(config.services[0].journeys.at(0).slo.availability, c.expected) << c.text;
  }
}

TEST(PercentTest, RejectsOutOfRangeAndMalformedRatios) {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {"1", "must be in (0, 1), got 1"},
      {"0", "must be in (0, 1), got 0"},
      {"-0.5", "must be in (0, 1), got -0.5"},
      {"100%", "must be in (0, 1), got 100%"},
      {"0%", "must be in (0, 1), got 0%"},
      {"99.9", "must be in (0, 1), got 99.9 (for a percentage write 99.9%)"},
      {"\"%\"", "not a percentage: \"%\" (write e.g. 99.9%)"},
      {"\"-5%\"", "not a percentage: \"-5%\" (write e.g. 99.9%)"},
      {"\"99.9 %\"", "not a percentage: \"99.9 %\" (write e.g. 99.9%)"},
      {"50.%", "not a percentage: \"50.%\" (write e.g. 99.9%)"},
      {".nan", "not a number: \".nan\" (write e.g. 0.999 or 99.9%)"},
      {"nan", "must be in (0, 1), got nan"},
      {"inf", "must be in (0, 1), got inf"},
      {"0.999x", "not a number: \"0.999x\" (write e.g. 0.999 or 99.9%)"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrorOf(WithAvailability(c.text)),
              std::string("test.yaml:7: services[0].journeys[0].slo.availability: ") + c.reason)
        << c.text;
  }
}

TEST(LatencyThresholdsTest, DistinctSortedAcrossJourneys) {
  Config c = ParseOk(R"(
services:
  - name: web
    journeys:
      - name: a
        route: /a
        slo:
          latency: [{threshold: 800ms, target: 99%}, {threshold: 200ms, target: 90%}]
      - name: b
        route: /b
        slo:
          latency: [{threshold: 0.8s, target: 95%}, {threshold: 1500us, target: 50%}]
      - name: c
        route: /c
  - name: api
    journeys:
      - name: x
        route: /x
        slo:
          latency: [{threshold: 5s, target: 99%}]
  - name: quiet
)");
  EXPECT_EQ(c.LatencyThresholds("web"),
            (std::vector<core::LatencyUs>{core::LatencyUs::FromMicros(1500), Ms(200), Ms(800)}));
  EXPECT_EQ(c.LatencyThresholds("api"), std::vector<core::LatencyUs>{Ms(5000)});
  EXPECT_TRUE(c.LatencyThresholds("quiet").empty());
  EXPECT_TRUE(c.LatencyThresholds("unknown").empty());
}

TEST(ValidateRoutePatternTest, AcceptsAndRejects) {
  for (const char* ok :
       {"/", "/a", "/a/b", "/users/:id", "/users/{id}", "/a/*/c", "/a/**", "/**",
        "/v1/items:batchGet", "/users/{id:[0-9]+}", "/caf\xC3\xA9", "/a.b/c-d_e"}) {
    EXPECT_TRUE(ValidateRoutePattern(ok).ok()) << ok << ": " << ValidateRoutePattern(ok).message();
  }
  struct Case {
    const char* pattern;
    const char* reason;
  };
  const Case bad[] = {
      {"", "route must start with '/', got \"\""},
      {"a/b", "route must start with '/', got \"a/b\""},
      {"//", "route has an empty segment ('//'): \"//\""},
      {"/a/", "route must not end with '/' (a trailing slash is ignored when matching): \"/a/\""},
      {"/**/a", "'**' must be the last segment of a route: \"/**/a\""},
      {"/a/*b", "'*' and '**' must be whole segments: \"/a/*b\""},
      {"/a/***", "'*' and '**' must be whole segments: \"/a/***\""},
      {"/:", "':' needs a parameter name, e.g. /users/:id: \"/:\""},
      {"/{}", "a parameter in braces must be a whole segment, e.g. {id}: \"/{}\""},
      {"/x{id}", "a parameter in braces must be a whole segment, e.g. {id}: \"/x{id}\""},
      {"/a?b",
       "route must not contain a query or fragment ('?', '#'); requests match on the path "
       "alone: \"/a?b\""},
      {"/a\tb", "route must not contain spaces or control characters: \"/a\\x09b\""},
  };
  for (const Case& c : bad) {
    Status s = ValidateRoutePattern(c.pattern);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.pattern;
    EXPECT_EQ(s.message(), c.reason) << c.pattern;
  }
}

// --- Errors and bounds ---------------------------------------------------------------------

TEST(ConfigErrorTest, WithoutSourceNameSaysLine) {
  Result<Config> c = ParseConfig("servces: []\n", "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "line 1: servces: unknown key \"servces\"; did you mean "
            "\"services\"?");
}

TEST(ConfigErrorTest, ShowsAtMostTwentyErrors) {
  std::string text = "services:\n";
  for (int i = 0; i < 30; ++i) {
    text += "  - name: s" + std::to_string(i) + "\n    colour: red\n";
  }
  const std::string message = ErrorOf(text);
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 20);
  EXPECT_THAT(message, StartsWith("test.yaml:3: services[0].colour: unknown key \"colour\""));
  EXPECT_THAT(message, ::testing::EndsWith("\ntest.yaml: ... and 10 more"));
}

TEST(ConfigErrorTest, CarriageReturnLineEndingsParse) {
  Config c = ParseOk(
      "services:\r\n  - name: web\r\n    journeys:\r\n      - name: a\r\n"
      "        route: /a\r\n");
  ASSERT_EQ(c.services.size(), 1u);
  EXPECT_EQ(c.services[0].journeys.at(0).route, "/a");
  EXPECT_EQ(ErrorOf("services:\r\n  - name: web\r\n    jurneys: []\r\n"),
            "test.yaml:3: services[0].jurneys: unknown key \"jurneys\"; did you mean "
            "\"journeys\"?");
}

TEST(ConfigErrorTest, ControlBytesAreEscapedInMessages) {
  EXPECT_EQ(ErrorOf("default_service: \"a\\x01b\"\n"),
            "test.yaml:1: default_service: contains a control character: \"a\\x01b\"");
  EXPECT_EQ(ErrorOf(std::string("services: []\n\0x: 1\n", 19)),
            "test.yaml:2: contains a NUL byte; is this a text file?");
}

// yaml-cpp 0.7's LoadAll loops forever, allocating, on a stray token after a document (found
// by fuzzing; fuzz/corpus/config_fuzz/crash_loadall_stray_comma*.yaml).
TEST(ConfigBoundsTest, StrayTokenAfterTheDocumentIsAnErrorNotALoop) {
  EXPECT_EQ(ErrorOf("{},\n"),
            "test.yaml:1: YAML syntax error: unexpected \",\" after the end of the "
            "document");
  EXPECT_EQ(ErrorOf("services: []\n,\n"), "test.yaml:2: YAML syntax error: end of map not found");
  EXPECT_EQ(ErrorOf(",\n"),
            "test.yaml:1: YAML syntax error: unexpected \",\" after the end of the "
            "document");
}

TEST(ConfigBoundsTest, RejectsMoreThanOneMebibyte) {
  std::string text = "# filler\n";
  while (text.size() < (1u << 20)) {
    text += "# " + std::string(60, 'x') + "\n";
  }
  text.resize(1u << 20);
  text.back() = '\n';
  EXPECT_OK(ParseConfig(text, "big.yaml"));  // Exactly 1 MiB is fine.
  text += "\n";
  Result<Config> c = ParseConfig(text, "big.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "big.yaml: too large: 1048577 bytes, the limit is 1048576 (1 MiB)");
}

TEST(ConfigBoundsTest, LoadConfigRejectsALargeFileBeforeReadingIt) {
  vigil::testing::TempDir dir;
  const std::string path = dir.File("vigil.yaml");
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string((1u << 20) + 10, '#');
  }
  Result<Config> c = LoadConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message(), path + ": too large: more than 1048576 bytes (1 MiB)");
}

std::string FlowNesting(int depth) {
  return "services: " + std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']') + "\n";
}

TEST(ConfigBoundsTest, FlowNestingOverThirtyTwoLevelsIsRejectedBeforeParsing) {
  // The top-level mapping is one level, so 31 brackets make 32.
  EXPECT_THAT(ErrorOf(FlowNesting(31)), HasSubstr("must be a mapping"));  // Parsed, then checked.
  EXPECT_EQ(ErrorOf(FlowNesting(32)), "test.yaml:1: nested deeper than 32 levels");
  EXPECT_EQ(ErrorOf(FlowNesting(100000)), "test.yaml:1: nested deeper than 32 levels");
  EXPECT_EQ(ErrorOf("a: b\nservices: {x: [{y: " + std::string(40, '{')),
            "test.yaml:2: nested deeper than 32 levels");
}

TEST(ConfigBoundsTest, BlockNestingOverThirtyTwoLevelsIsRejected) {
  auto block = [](int depth) {
    std::string text;
    for (int i = 0; i < depth; ++i) {
      text += std::string(static_cast<size_t>(2 * i), ' ') + "k" + std::to_string(i) + ":\n";
    }
    return text;
  };
  EXPECT_THAT(ErrorOf(block(32)), HasSubstr("unknown key \"k0\""));
  EXPECT_EQ(ErrorOf(block(33)), "test.yaml:33: nested deeper than 32 levels");
  std::string dashes;
  for (int i = 0; i < 40; ++i) {
    dashes += "- ";
  }
  EXPECT_EQ(ErrorOf("services:\n" + dashes + "x\n"), "test.yaml:2: nested deeper than 32 levels");
}

TEST(ConfigBoundsTest, QuotedBracketsCountOnlyUntilTheStringCloses) {
  // Brackets inside a quoted string count while it is open (the scan cannot always tell a
  // quote from an apostrophe), and stop counting when it closes.
  std::string text = "services:\n";
  for (int i = 0; i < 40; ++i) {
    text += "  - {name: \"s" + std::to_string(i) + std::string(20, '[') + "\"}\n";
  }
  EXPECT_EQ(ParseOk(text).services.size(), 40u);
  EXPECT_EQ(ErrorOf("default_service: \"" + std::string(40, '[') + "\"\n"),
            "test.yaml:1: nested deeper than 32 levels");
}

TEST(ConfigBoundsTest, BlockScalarLinesAreNotScanned) {
  const std::string brackets(40, '[');
  EXPECT_EQ(ErrorOf("default_service: |\n  " + brackets + "\n  " + brackets + "\nx: 1\n"),
            "test.yaml:1: default_service: contains a control character: \"" +
                std::string(40, '[') + "\\x0a" + std::string(19, '[') +
                "...\"\ntest.yaml:4: x: unknown key \"x\"; known keys: store, ingest, "
                "default_service, services, areas, ownership, mappings, releases, incidents");
}

TEST(ConfigBoundsTest, AliasesCannotExpandWithoutBound) {
  // One list of 1000 journeys, referenced by 1000 services: a million journeys if expanded.
  std::string text = "services:\n  - name: s\n    journeys: &many [&j {name: j, route: /j}";
  for (int i = 0; i < 999; ++i) {
    text += ", *j";
  }
  text += "]\n";
  for (int i = 0; i < 1000; ++i) {
    text += "  - {name: s" + std::to_string(i) + ", journeys: *many}\n";
  }
  // Only that error: the others would be the expansion's echoes.
  EXPECT_THAT(ErrorOf(text),
              ::testing::MatchesRegex("test.yaml:[0-9]+: more than 300000 values \\(do anchors "
                                      "and aliases expand too far\\?\\)"));
}

// --- LoadConfig ----------------------------------------------------------------------------

TEST(LoadConfigTest, MissingFileIsNotFound) {
  vigil::testing::TempDir dir;
  Result<Config> c = LoadConfig(dir.File("vigil.yaml"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.status().message(), dir.File("vigil.yaml") + ": no such file");
}

TEST(LoadConfigTest, DirectoryIsAFailedPrecondition) {
  vigil::testing::TempDir dir;
  Result<Config> c = LoadConfig(dir.path().string());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kFailedPrecondition);
}

TEST(LoadConfigTest, ErrorsNameThePath) {
  vigil::testing::TempDir dir;
  const std::string path = dir.File("vigil.yaml");
  {
    std::ofstream out(path);
    out << "store:\n  retention: forever\n";
  }
  Result<Config> c = LoadConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            path +
                ":2: store.retention: not a duration: \"forever\" (write e.g. 28d, 12h, 5m, "
                "90s; units ms s m h d w)");
}

TEST(LoadConfigTest, WrittenInitTextLoads) {
  vigil::testing::TempDir dir;
  const std::string path = dir.File("vigil.yaml");
  {
    std::ofstream out(path);
    out << InitConfigText();
  }
  Result<Config> c = LoadConfig(path);
  ASSERT_OK(c);
  EXPECT_EQ(c->source, path);
  EXPECT_TRUE(c->services.empty());
}

}  // namespace
}  // namespace vigil::config
