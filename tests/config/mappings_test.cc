#include "vigil/config/mappings.h"

#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

#include "vigil/config/config.h"

namespace vigil::config {
namespace {

using model::RecordKind;
using ::testing::HasSubstr;
using Kind = PathStep::Kind;

PathStep Member(std::string name) {
  PathStep s;
  s.kind = Kind::kMember;
  s.name = std::move(name);
  return s;
}
PathStep Index(int64_t i) {
  PathStep s;
  s.kind = Kind::kIndex;
  s.index = i;
  return s;
}
PathStep All() {
  PathStep s;
  s.kind = Kind::kAll;
  return s;
}
PathStep Select(std::string key, std::string value) {
  PathStep s;
  s.kind = Kind::kSelect;
  s.name = std::move(key);
  s.value = std::move(value);
  return s;
}

MappingPath Path(const std::string& text) {
  Result<MappingPath> p = ParseMappingPath(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status().ToString();
  return p.ok() ? *p : MappingPath{};
}

// --- Paths ---------------------------------------------------------------------------------

TEST(MappingPathTest, ParsesEveryStepKind) {
  struct Case {
    std::string text;
    std::vector<PathStep> steps;
  };
  const Case cases[] = {
      {"a", {Member("a")}},
      {"a.b.c", {Member("a"), Member("b"), Member("c")}},
      {"a[0]", {Member("a"), Index(0)}},
      {"a[12][3]", {Member("a"), Index(12), Index(3)}},
      {"a[*].b", {Member("a"), All(), Member("b")}},
      {"custom_fields[name=causing_release].value",
       {Member("custom_fields"), Select("name", "causing_release"), Member("value")}},
      {"a[\"key with.dots\"]", {Member("a"), Member("key with.dots")}},
      {"[\"x\"].y", {Member("x"), Member("y")}},
      {"a[name=\"impact start\"]", {Member("a"), Select("name", "impact start")}},
      {"a['it\\'s']", {Member("a"), Member("it's")}},
      {"fields.customfield_10050.value",
       {Member("fields"), Member("customfield_10050"), Member("value")}},
      {"priority.summary", {Member("priority"), Member("summary")}},
      {"a[k=v w]", {Member("a"), Select("k", "v w")}},  // an unquoted value runs to ']'
  };
  for (const Case& c : cases) {
    Result<MappingPath> p = ParseMappingPath(c.text);
    ASSERT_TRUE(p.ok()) << c.text << ": " << p.status().ToString();
    EXPECT_EQ(p->text, c.text);
    EXPECT_EQ(p->steps, c.steps) << c.text;
  }
}

TEST(MappingPathTest, RejectsBadSyntaxWithTheColumn) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "column 1: empty path"},
      {".a", "column 1: expected a member name, got '.' (an empty name)"},
      {"a..b", "column 3: expected a member name, got '.' (an empty name)"},
      {"a.", "column 3: expected a member name at the end"},
      {"a[", "column 2: unclosed '['"},
      {"a[0", "column 2: unclosed '['"},
      {"a[x]", "column 3: expected an index, *, a quoted name or key=value inside '[...]'"},
      {"a[-1]", "column 3: an index must be 0 or more"},
      {"a[0]b", "column 5: expected '.' or '[', got \"b\""},
      {"a[\"b]", "column 3: unterminated quoted name"},
      {"a b", "column 2: expected '.' or '[', got \" \""},
      {"a.*", "column 3: '*' is not a member name: write [*] for every element"},
      {"a[name=]", "column 8: expected a value after '=' (write \"\" for an empty one)"},
      {"a.[0]", "column 3: '[' follows a name directly: write a[0], not a.[0]"},
      {"a[99999999999999999999]", "column 3: index too large"},
      {"a[0x]", "column 4: expected ']', got \"x\""},
      {"a.\"b\"", "column 3: quoted names go in brackets: a[\"b c\"]"},
      {std::string(1025, 'a'), "column 1025: longer than 1024 bytes"},
  };
  for (const Case& c : cases) {
    Result<MappingPath> p = ParseMappingPath(c.text);
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(p.status().message(), c.message) << c.text;
  }
}

// --- Fields and sources --------------------------------------------------------------------

TEST(MappingFieldsTest, ListsEachKindsFieldsSorted) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(MappingFields(RecordKind::kDeployment),
            (V{"commit", "deployed_at", "environment", "id", "ref", "service", "status", "url",
               "version"}));
  EXPECT_EQ(
      MappingFields(RecordKind::kRelease),
      (V{"areas", "commit", "created_at", "deployed_at", "environment", "hotfix", "hotfix_for",
         "name", "notes", "prerelease", "service", "tag", "team", "type", "url", "version"}));
  EXPECT_EQ(MappingFields(RecordKind::kIncident),
            (V{"alerts",        "area",         "cause",       "cause_service",
               "cause_version", "created_at",   "detected_at", "detection_source",
               "environment",   "escape_phase", "id",          "journey",
               "merged",        "number",       "paths",       "resolved_at",
               "service",       "severity",     "started_at",  "status",
               "team",          "title",        "url"}));
  EXPECT_EQ(
      MappingFields(RecordKind::kDefect),
      (V{"area", "escape_phase", "found_at", "id", "incident", "is_bug", "number", "release",
         "reporter", "resolved_at", "service", "severity", "status", "team", "title", "url"}));
  EXPECT_EQ(MappingFields(RecordKind::kAlert), (V{"ends_at", "fingerprint", "generator_url",
                                                  "incident", "rule", "service", "starts_at"}));
  for (RecordKind kind : {RecordKind::kDeployment, RecordKind::kRelease, RecordKind::kIncident,
                          RecordKind::kDefect, RecordKind::kAlert}) {
    V fields = MappingFields(kind);
    EXPECT_TRUE(std::is_sorted(fields.begin(), fields.end())) << RecordKindName(kind);
  }
}

TEST(SourceKindsTest, EachAdapterAndItsKinds) {
  using V = std::vector<RecordKind>;
  EXPECT_EQ(SourceKinds("github"),
            (V{RecordKind::kDeployment, RecordKind::kRelease, RecordKind::kDefect}));
  EXPECT_EQ(SourceKinds("pagerduty"), V{RecordKind::kIncident});
  EXPECT_EQ(SourceKinds("jira"), V{RecordKind::kDefect});
  EXPECT_EQ(SourceKinds("alertmanager"), V{RecordKind::kAlert});
  EXPECT_TRUE(SourceKinds("native").empty());
  EXPECT_TRUE(SourceKinds("GitHub").empty());
}

// --- ParseSourceMappings: what is read -----------------------------------------------------

SourceMappings ParseOk(const std::string& yaml, std::string_view source = "pagerduty",
                       RecordKind kind = RecordKind::kIncident) {
  Result<SourceMappings> m = ParseSourceMappings(yaml, source, kind, "test defaults");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : SourceMappings{};
}

std::string ErrorOf(const std::string& yaml, std::string_view source = "pagerduty",
                    RecordKind kind = RecordKind::kIncident) {
  Result<SourceMappings> m = ParseSourceMappings(yaml, source, kind, "test defaults");
  EXPECT_FALSE(m.ok()) << yaml;
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  return m.status().message();
}

MappingRule FromRule(std::vector<std::string> paths, int line) {
  MappingRule r;
  for (const std::string& p : paths) {
    r.from.push_back(Path(p));
  }
  r.line = line;
  return r;
}

TEST(ParseSourceMappingsTest, ReadsTheHeaderExample) {
  const std::string yaml =
      "service:\n"                                // 1
      "  from: service.summary\n"                 // 2: rule 1 of service
      "  values: {\"Checkout API\": checkout}\n"  // 3
      "severity:\n"                               // 4
      "  - from: priority.summary\n"              // 5: rule 1 of severity
      "    values: {P1: critical, P2: significant, P3: minor, P4: minor, P5: minor}\n"
      "    unmatched: drop\n"  // 7
      "  - from: urgency\n"    // 8: rule 2
      "    values: {high: significant, low: minor}\n"
      "cause_version:\n"                                       // 10
      "  from: 'custom_fields[name=causing_release].value'\n"  // 11
      "  regex: '@?v?([0-9][0-9A-Za-z.+-]*)$'\n";
  SourceMappings m = ParseOk(yaml);
  SourceMappings expected;
  expected.source = "pagerduty";
  expected.kind = RecordKind::kIncident;
  {
    MappingRule r = FromRule({"service.summary"}, 2);
    r.values = {{"Checkout API", "checkout"}};
    expected.fields.push_back(FieldMapping{"service", {r}});
  }
  {
    MappingRule p = FromRule({"priority.summary"}, 5);
    p.values = {{"P1", "critical"},
                {"P2", "significant"},
                {"P3", "minor"},
                {"P4", "minor"},
                {"P5", "minor"}};
    p.drop_unmatched = true;
    MappingRule u = FromRule({"urgency"}, 8);
    u.values = {{"high", "significant"}, {"low", "minor"}};
    expected.fields.push_back(FieldMapping{"severity", {p, u}});
  }
  {
    MappingRule r = FromRule({"custom_fields[name=causing_release].value"}, 11);
    r.regex = "@?v?([0-9][0-9A-Za-z.+-]*)$";
    expected.fields.push_back(FieldMapping{"cause_version", {r}});
  }
  EXPECT_EQ(m, expected);
  ASSERT_NE(m.Find("severity"), nullptr);
  EXPECT_EQ(m.Find("severity")->rules.size(), 2u);
  EXPECT_EQ(m.Find("team"), nullptr);
}

TEST(ParseSourceMappingsTest, ReadsPredicatesOfEveryShape) {
  const std::string yaml =
      "reporter:\n"
      "  - when: {any: [{path: fields.customfield_10050.value, equals: Customer},\n"
      "                 {path: fields.labels, contains: customer}]}\n"
      "    value: customer\n"
      "  - when:\n"
      "      all:\n"
      "        - {path: fields.reporter, exists: true}\n"
      "        - not: {path: fields.summary, matches: '^\\[internal\\]'}\n"
      "    value: internal\n"
      "  - when: {not: [{path: x, exists: False}]}\n"  // a one-item list works for not
      "    value: unknown\n";
  SourceMappings m = ParseOk(yaml, "jira", RecordKind::kDefect);
  ASSERT_EQ(m.fields.size(), 1u);
  const std::vector<MappingRule>& rules = m.fields[0].rules;
  ASSERT_EQ(rules.size(), 3u);

  ASSERT_TRUE(rules[0].when.has_value());
  const MappingPredicate& any = *rules[0].when;
  EXPECT_EQ(any.op, MappingPredicate::Op::kAny);
  ASSERT_EQ(any.children.size(), 2u);
  EXPECT_EQ(any.children[0].op, MappingPredicate::Op::kEquals);
  EXPECT_EQ(any.children[0].path.text, "fields.customfield_10050.value");
  EXPECT_EQ(any.children[0].operand, "Customer");
  EXPECT_EQ(any.children[1].op, MappingPredicate::Op::kContains);
  EXPECT_EQ(any.children[1].operand, "customer");
  EXPECT_EQ(rules[0].value, "customer");
  EXPECT_TRUE(rules[0].from.empty());

  const MappingPredicate& all = *rules[1].when;
  EXPECT_EQ(all.op, MappingPredicate::Op::kAll);
  ASSERT_EQ(all.children.size(), 2u);
  EXPECT_EQ(all.children[0].op, MappingPredicate::Op::kExists);
  EXPECT_TRUE(all.children[0].exists);
  EXPECT_EQ(all.children[1].op, MappingPredicate::Op::kNot);
  ASSERT_EQ(all.children[1].children.size(), 1u);
  EXPECT_EQ(all.children[1].children[0].op, MappingPredicate::Op::kMatches);
  EXPECT_EQ(all.children[1].children[0].operand, "^\\[internal\\]");

  const MappingPredicate& no = *rules[2].when;
  EXPECT_EQ(no.op, MappingPredicate::Op::kNot);
  ASSERT_EQ(no.children.size(), 1u);
  EXPECT_FALSE(no.children[0].exists);
}

TEST(ParseSourceMappingsTest, ReadsPathListsSplitsAndEmptyRuleLists) {
  const std::string yaml =
      "areas:\n"
      "  from: [body, name]\n"
      "  regex: '(?m)^Areas:(.*)$'\n"
      "  split: \",\"\n"
      "team: []\n";  // no rules: turns off an adapter's default
  SourceMappings m = ParseOk(yaml, "github", RecordKind::kRelease);
  ASSERT_EQ(m.fields.size(), 2u);
  ASSERT_EQ(m.fields[0].rules.size(), 1u);
  const MappingRule& r = m.fields[0].rules[0];
  ASSERT_EQ(r.from.size(), 2u);
  EXPECT_EQ(r.from[1].text, "name");
  EXPECT_EQ(r.split, ",");
  EXPECT_EQ(r.regex, "(?m)^Areas:(.*)$");
  EXPECT_EQ(m.fields[1].field, "team");
  EXPECT_TRUE(m.fields[1].rules.empty());
}

TEST(ParseSourceMappingsTest, EmptyTextHasNoFields) {
  SourceMappings m = ParseOk("# nothing yet\n", "alertmanager", RecordKind::kAlert);
  EXPECT_EQ(m.source, "alertmanager");
  EXPECT_EQ(m.kind, RecordKind::kAlert);
  EXPECT_TRUE(m.fields.empty());
}

TEST(ParseSourceMappingsTest, SixteenLevelsOfPredicatesParse) {
  std::string when = "{path: a, exists: true}";
  for (int i = 0; i < 15; ++i) {
    when = "{not: " + when + "}";
  }
  // 15 nots around one test: the test is the 16th level, the deepest allowed.
  SourceMappings m = ParseOk("title:\n  when: " + when + "\n  value: x\n");
  ASSERT_EQ(m.fields.size(), 1u);
}

// --- ParseSourceMappings: errors, each with its line ----------------------------------------

TEST(ParseSourceMappingsErrorTest, UnknownFieldsAndRuleKeysSuggestTheClosest) {
  EXPECT_EQ(ErrorOf("service:\n"
                    "  form: service.summary\n"  // 2
                    "sevrity:\n"                 // 3
                    "  value: minor\n"),
            "test defaults:2: service.form: unknown rule key \"form\"; did you mean \"from\"?\n"
            "test defaults:3: sevrity: unknown incidents field \"sevrity\"; did you mean "
            "\"severity\"?");
  EXPECT_THAT(ErrorOf("xyzzy: {value: 1}\n"),
              HasSubstr("test defaults:1: xyzzy: unknown incidents field \"xyzzy\" (known: "
                        "alerts, area, cause,"));
}

TEST(ParseSourceMappingsErrorTest, FromAndValueBothOrNeither) {
  EXPECT_EQ(ErrorOf("title:\n"
                    "  from: title\n"  // 2: the rule starts here
                    "  value: x\n"
                    "team:\n"
                    "  - regex: '(x)'\n"),  // 5
            "test defaults:2: title: give either from (a path) or value (a literal), not both\n"
            "test defaults:5: team[0]: needs from (a path) or value (a literal), e.g. {from: "
            "service.summary} or {value: internal}");
}

TEST(ParseSourceMappingsErrorTest, BadRegexReportsRe2sError) {
  EXPECT_EQ(ErrorOf("cause_version:\n"
                    "  from: x\n"
                    "  regex: '(unclosed'\n"),  // 3
            "test defaults:3: cause_version.regex: bad regex \"(unclosed\": missing ): "
            "(unclosed");
}

TEST(ParseSourceMappingsErrorTest, UnmatchedIsKeepOrDropAndNeedsATable) {
  EXPECT_EQ(ErrorOf("severity:\n"
                    "  from: urgency\n"
                    "  unmatched: maybe\n"),  // 3
            "test defaults:3: severity.unmatched: must be keep or drop, got \"maybe\"\n"
            "test defaults:3: severity.unmatched: says what to do with a value the values "
            "table lacks, but the rule has no values table");
}

TEST(ParseSourceMappingsErrorTest, TableValuesAreSingleAndKeysDistinctAfterFolding) {
  EXPECT_EQ(ErrorOf("severity:\n"
                    "  from: priority.summary\n"
                    "  values: {P1: [critical]}\n"),  // 3
            "test defaults:3: severity.values.P1: must be a single value (write \"\" to map it "
            "to nothing)");
  EXPECT_EQ(ErrorOf("severity:\n"
                    "  from: x\n"
                    "  values:\n"
                    "    P1: critical\n"  // 4
                    "    p1: minor\n"),   // 5
            "test defaults:5: severity.values.p1: duplicate key (keys are compared ignoring "
            "case and surrounding spaces; first at line 4)");
  EXPECT_EQ(ErrorOf("severity:\n"
                    "  from: x\n"
                    "  values: [P1, critical]\n"),  // 3
            "test defaults:3: severity.values: must be a table of {source value: vigil value}, "
            "e.g. {P1: critical, P2: significant}");
}

TEST(ParseSourceMappingsErrorTest, PredicateShapes) {
  const std::string yaml =
      "reporter:\n"                                                             // 1
      "  - when: {path: a, equals: x, contains: y}\n"                           // 2
      "    value: c\n"                                                          // 3
      "  - when: {any: [{path: a, exists: true}], path: a}\n"                   // 4
      "    value: c\n"                                                          // 5
      "  - when: {not: [{path: a, exists: true}, {path: b, exists: false}]}\n"  // 6
      "    value: c\n"                                                          // 7
      "  - when: {path: a, exists: maybe}\n"                                    // 8
      "    value: c\n"                                                          // 9
      "  - when: {path: 'a..b', equals: x}\n"                                   // 10
      "    value: c\n"                                                          // 11
      "  - when: {any: {path: a, equals: x}}\n"                                 // 12
      "    value: c\n"                                                          // 13
      "  - when: {path: a, matches: '[z-a]'}\n"                                 // 14
      "    value: c\n"                                                          // 15
      "  - when: {pth: a, equals: x}\n"                                         // 16
      "    value: c\n"                                                          // 17
      "  - when: {equals: x}\n"                                                 // 18
      "    value: c\n"                                                          // 19
      "  - when: [a]\n"                                                         // 20
      "    value: c\n";                                                         // 21
  EXPECT_EQ(
      ErrorOf(yaml, "jira", RecordKind::kDefect),
      "test defaults:2: reporter[0].when: give exactly one of equals, contains, matches or "
      "exists with path\n"
      "test defaults:4: reporter[1].when: any, all and not each stand alone: nest them, e.g. "
      "{all: [{any: [...]}, {not: ...}]}\n"
      "test defaults:6: reporter[2].when.not: takes exactly one predicate, got 2\n"
      "test defaults:8: reporter[3].when.exists: must be true or false, got \"maybe\"\n"
      "test defaults:10: reporter[4].when.path: bad path \"a..b\": column 3: expected a member "
      "name, got '.' (an empty name)\n"
      "test defaults:12: reporter[5].when.any: must be a non-empty list of predicates\n"
      "test defaults:14: reporter[6].when.matches: bad regex \"[z-a]\": invalid character "
      "class range: z-a\n"
      "test defaults:16: reporter[7].when.pth: unknown predicate key \"pth\"; did you mean "
      "\"path\"?\n"
      "test defaults:18: reporter[8].when: needs path and one of equals, contains, matches, "
      "exists (or any/all/not)\n"
      "test defaults:20: reporter[9].when: must be a predicate: {path: P, "
      "equals|contains|matches|exists: ...} or {any: [...]}, {all: [...]}, {not: {...}}");
}

TEST(ParseSourceMappingsErrorTest, PredicatesNestAtMostSixteenDeep) {
  std::string when = "{path: a, exists: true}";
  for (int i = 0; i < 16; ++i) {
    when = "{not: " + when + "}";
  }
  // 16 nots: the test inside is the 17th level.
  EXPECT_THAT(ErrorOf("title:\n  when: " + when + "\n  value: x\n"),
              ::testing::MatchesRegex("test defaults:2: title\\.when(\\.not){16}: predicates "
                                      "nested deeper than 16 levels"));
}

TEST(ParseSourceMappingsErrorTest, FieldValuesMustBeRules) {
  EXPECT_EQ(ErrorOf("service: service.summary\n"),
            "test defaults:1: service: must be a rule or a list of rules: write {from: "
            "\"service.summary\"} to read a path, or {value: \"service.summary\"} for a literal");
  EXPECT_EQ(ErrorOf("service:\n"),
            "test defaults:1: service: needs a rule (e.g. {from: service.summary} or {value: "
            "internal}), a list of rules, or [] for none");
  EXPECT_EQ(ErrorOf("service:\n  - from: a\n  - b\n"),
            "test defaults:3: service[1]: must be a rule (e.g. {from: service.summary} or "
            "{value: internal})");
  EXPECT_EQ(ErrorOf("service: {from: []}\n"),
            "test defaults:1: service.from: must name at least one path");
  EXPECT_EQ(ErrorOf("service: {from: {a: b}}\n"),
            "test defaults:1: service.from: must be a path, e.g. service.summary");
  EXPECT_EQ(ErrorOf("service: {value: ''}\n"), "test defaults:1: service.value: must not be empty");
  EXPECT_EQ(ErrorOf("title: {from: a}\ntitle: {from: b}\n"),
            "test defaults:2: title: duplicate key (first at line 1)");
  EXPECT_EQ(ErrorOf("- a\n"),
            "test defaults:1: must be a mapping of incidents fields to rules (alerts, area, "
            "cause, cause_service, cause_version, created_at, detected_at, detection_source, "
            "environment, escape_phase, id, journey, merged, number, paths, resolved_at, "
            "service, severity, started_at, status, team, title, url)");
}

TEST(ParseSourceMappingsErrorTest, BadPathNamesItsColumn) {
  EXPECT_EQ(ErrorOf("title:\n  from: 'fields[summary'\n"),
            "test defaults:2: title.from: bad path \"fields[summary\": column 7: unclosed '['");
  EXPECT_EQ(ErrorOf("title:\n  from: [ok, 'a b']\n"),
            "test defaults:2: title.from[1]: bad path \"a b\": column 2: expected '.' or '[', "
            "got \" \"");
}

TEST(ParseSourceMappingsErrorTest, WrongSourceOrKindAndBadYaml) {
  EXPECT_EQ(ErrorOf("", "jira", RecordKind::kIncident),
            "test defaults: jira does not produce incidents");
  EXPECT_EQ(ErrorOf("", "opsgenie", RecordKind::kIncident),
            "test defaults: unknown source \"opsgenie\"");
  EXPECT_THAT(ErrorOf("title: {from: a\n"), HasSubstr("test defaults:"));
  EXPECT_THAT(ErrorOf("title: {from: a\n"), HasSubstr("YAML syntax error"));
  EXPECT_EQ(ErrorOf("title: {from: a}\n---\nx: 1\n"),
            "test defaults:2: only one YAML document is allowed (another starts at ---)");
  EXPECT_EQ(ErrorOf(std::string("title: {from: a}\0", 17)),
            "test defaults:1: contains a NUL byte; is this a text file?");
}

TEST(ParseSourceMappingsErrorTest, AliasesCannotExpandWithoutBound) {
  // A table of 1000 entries referenced by 1000 rules: a million entries if expanded.
  std::string text = "title:\n  - {from: a, values: &t {";
  for (int i = 0; i < 1000; ++i) {
    text += (i > 0 ? ", k" : "k") + std::to_string(i) + ": v";
  }
  text += "}}\n";
  for (int i = 0; i < 1000; ++i) {
    text += "  - {from: a, values: *t}\n";
  }
  EXPECT_THAT(ErrorOf(text),
              ::testing::MatchesRegex("test defaults:[0-9]+: more than 300000 values \\(do "
                                      "anchors and aliases expand too far\\?\\)"));
}

// --- In vigil.yaml ---------------------------------------------------------------------------

Config ConfigOk(const std::string& text) {
  Result<Config> c = ParseConfig(text, "test.yaml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Config{};
}

std::string ConfigError(const std::string& text) {
  Result<Config> c = ParseConfig(text, "test.yaml");
  EXPECT_FALSE(c.ok()) << text;
  return c.status().message();
}

TEST(ConfigMappingsTest, ReadsSourcesKindsAndSettings) {
  Config c = ConfigOk(
      "mappings:\n"
      "  pagerduty:\n"
      "    incidents:\n"
      "      service:\n"
      "        from: service.summary\n"  // 5
      "        values: {\"Checkout API\": checkout}\n"
      "  jira:\n"
      "    defects:\n"
      "      reporter:\n"
      "        - when: {path: fields.labels, equals: customer-reported}\n"  // 10
      "          value: customer\n"
      "        - value: internal\n"  // 12
      "releases:\n"
      "  failure_window: 72h\n"
      "  patch_is_hotfix: true\n"
      "  production_environments: [prod-eu, prod-us]\n"
      "incidents:\n"
      "  alert_link_before: 15m\n"
      "  excluded_causes: [external, vendor]\n"
      "  infer_cause: true\n"
      "  alert_incident_label: pd_incident\n"
      "  alert_service_label: app\n");
  ASSERT_EQ(c.mappings.size(), 2u);
  const SourceMappings* pd = c.FindMappings("pagerduty", RecordKind::kIncident);
  ASSERT_NE(pd, nullptr);
  ASSERT_NE(pd->Find("service"), nullptr);
  EXPECT_EQ(pd->Find("service")->rules[0].line, 5);
  EXPECT_EQ(pd->Find("service")->rules[0].values,
            (std::vector<std::pair<std::string, std::string>>{{"Checkout API", "checkout"}}));
  const SourceMappings* jira = c.FindMappings("jira", RecordKind::kDefect);
  ASSERT_NE(jira, nullptr);
  ASSERT_EQ(jira->Find("reporter")->rules.size(), 2u);
  EXPECT_EQ(jira->Find("reporter")->rules[0].line, 10);
  EXPECT_EQ(jira->Find("reporter")->rules[1].value, "internal");
  EXPECT_EQ(c.FindMappings("github", RecordKind::kRelease), nullptr);
  EXPECT_EQ(c.FindMappings("jira", RecordKind::kIncident), nullptr);

  EXPECT_EQ(c.releases.failure_window, core::Duration::Hours(72));
  EXPECT_TRUE(c.releases.patch_is_hotfix);
  EXPECT_EQ(c.releases.production_environments, (std::vector<std::string>{"prod-eu", "prod-us"}));
  EXPECT_EQ(c.incidents.alert_link_before, core::Duration::Minutes(15));
  EXPECT_EQ(c.incidents.excluded_causes, (std::vector<std::string>{"external", "vendor"}));
  EXPECT_TRUE(c.incidents.infer_cause);
  EXPECT_EQ(c.incidents.alert_incident_label, "pd_incident");
  EXPECT_EQ(c.incidents.alert_service_label, "app");
}

TEST(ConfigMappingsTest, DefaultsOfTheNewSections) {
  Config c = DefaultConfig();
  EXPECT_TRUE(c.mappings.empty());
  EXPECT_EQ(c.releases.failure_window, core::Duration::Hours(48));
  EXPECT_FALSE(c.releases.patch_is_hotfix);
  EXPECT_EQ(c.releases.production_environments, (std::vector<std::string>{"production", "prod"}));
  EXPECT_EQ(c.incidents.alert_link_before, core::Duration::Minutes(30));
  EXPECT_TRUE(c.incidents.excluded_causes.empty());
  EXPECT_FALSE(c.incidents.infer_cause);
  EXPECT_EQ(c.incidents.alert_incident_label, "incident");
  EXPECT_EQ(c.incidents.alert_service_label, "service");
  // Empty sections and values keep the defaults.
  Config empty = ConfigOk("mappings:\nreleases:\n  failure_window:\nincidents: {}\n");
  empty.source = "";
  EXPECT_EQ(empty, c);
}

TEST(ConfigMappingsTest, KindsASourceDoesNotProduceAndUnknownSources) {
  EXPECT_EQ(ConfigError("mappings:\n"
                        "  github:\n"
                        "    incidents:\n"  // 3
                        "      title: {from: title}\n"
                        "  pagerdty:\n"  // 5
                        "    incidents: {}\n"
                        "  jira:\n"
                        "    defect: {}\n"),  // 8
            "test.yaml:3: mappings.github.incidents: github does not produce incidents; github "
            "produces deployments, releases, defects\n"
            "test.yaml:5: mappings.pagerdty: unknown source \"pagerdty\"; did you mean "
            "\"pagerduty\"?\n"
            "test.yaml:8: mappings.jira.defect: unknown record kind \"defect\" (did you mean "
            "\"defects\"?); jira produces defects");
  EXPECT_EQ(ConfigError("mappings: [github]\n"),
            "test.yaml:1: mappings: must be a mapping of sources (github, pagerduty, jira, "
            "alertmanager) to record kinds");
  EXPECT_EQ(ConfigError("mappings:\n  github: [releases]\n"),
            "test.yaml:2: mappings.github: must be a mapping of record kinds (deployments, "
            "releases, defects) to fields");
}

TEST(ConfigMappingsTest, RuleErrorsCarryTheFullKeyPathAndLine) {
  EXPECT_EQ(ConfigError("mappings:\n"
                        "  github:\n"
                        "    releases:\n"
                        "      hotfix_for:\n"
                        "        from: body\n"
                        "        regex: '(?m)^Hotfix-For: (v?'\n"),  // 6
            "test.yaml:6: mappings.github.releases.hotfix_for.regex: bad regex "
            "\"(?m)^Hotfix-For: (v?\": missing ): (?m)^Hotfix-For: (v?");
}

TEST(ConfigMappingsTest, ReleaseAndIncidentSettingErrors) {
  EXPECT_EQ(ConfigError("releases:\n"
                        "  failure_window: 0s\n"           // 2
                        "  patch_is_hotfix: yes\n"         // 3
                        "  production_environments: []\n"  // 4
                        "incidents:\n"
                        "  alert_link_before: 8d\n"                  // 6
                        "  excluded_causes: [external, External]\n"  // 7
                        "  alert_incident_label: 'pd incident'\n"    // 8
                        "  infer: true\n"),                          // 9
            "test.yaml:2: releases.failure_window: must be more than 0, got 0s\n"
            "test.yaml:3: releases.patch_is_hotfix: must be true or false, got yes\n"
            "test.yaml:4: releases.production_environments: must name at least one environment "
            "(deployments elsewhere make no release)\n"
            "test.yaml:6: incidents.alert_link_before: must be in [0s, 7d], got 8d\n"
            "test.yaml:7: incidents.excluded_causes[1]: duplicate \"External\" (first at line 7)\n"
            "test.yaml:8: incidents.alert_incident_label: must be a label name "
            "([a-zA-Z_][a-zA-Z0-9_]*), got \"pd incident\"\n"
            "test.yaml:9: incidents.infer: unknown key \"infer\"; did you mean \"infer_cause\"?");
  EXPECT_EQ(ConfigError("releases:\n  failure_window: 400d\n"),
            "test.yaml:2: releases.failure_window: must be at most 365d, got 400d");
  // One environment may be written alone; an empty label turns the link off.
  Config c = ConfigOk(
      "releases: {production_environments: live}\n"
      "incidents: {alert_incident_label: ''}\n");
  EXPECT_EQ(c.releases.production_environments, std::vector<std::string>{"live"});
  EXPECT_EQ(c.incidents.alert_incident_label, "");
}

TEST(ConfigMappingsTest, ConfigurationDocsExamplesParse) {
  // The examples of docs/configuration.md's releases, incidents and mappings sections.
  Config c = ConfigOk(R"(releases:
  failure_window: 72h
  patch_is_hotfix: true
  production_environments: [production, prod-eu, prod-us]
incidents:
  alert_link_before: 15m
  excluded_causes: [external]
  alert_incident_label: pagerduty_incident
  alert_service_label: app
mappings:
  pagerduty:
    incidents:
      service:
        from: service.summary
        values: {"Checkout API": checkout}
  jira:
    defects:
      reporter:
        - when: {path: fields.labels, equals: customer-reported}
          value: customer
        - value: internal
)");
  EXPECT_EQ(c.releases.production_environments,
            (std::vector<std::string>{"production", "prod-eu", "prod-us"}));
  EXPECT_EQ(c.incidents.alert_link_before, core::Duration::Minutes(15));
  EXPECT_EQ(c.incidents.excluded_causes, std::vector<std::string>{"external"});
  EXPECT_EQ(c.mappings.size(), 2u);
}

TEST(ConfigMappingsTest, InitTextMappingsExampleParsesWhenUncommented) {
  // Drop "mappings: {}" and uncomment the example after it, up to the next blank line.
  std::istringstream in(InitConfigText());
  std::string text;
  bool in_example = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "mappings: {}") {
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
  Config c = ConfigOk(text);
  const SourceMappings* pd = c.FindMappings("pagerduty", RecordKind::kIncident);
  ASSERT_NE(pd, nullptr);
  ASSERT_NE(pd->Find("service"), nullptr);
  EXPECT_EQ(pd->Find("service")->rules[0].from[0].text, "service.summary");
  // And the settings it writes are the defaults.
  EXPECT_EQ(c.releases, ReleaseSettings{});
  EXPECT_EQ(c.incidents, IncidentSettings{});
}

TEST(ConfigMappingsTest, InitTextMentionsTheNewSettings) {
  const std::string text = InitConfigText();
  for (const char* key :
       {"releases:", "failure_window:", "patch_is_hotfix:", "production_environments:",
        "incidents:", "alert_link_before:", "excluded_causes:", "infer_cause:",
        "alert_incident_label:", "alert_service_label:", "mappings:"}) {
    EXPECT_THAT(text, HasSubstr(key));
  }
}

}  // namespace
}  // namespace vigil::config
