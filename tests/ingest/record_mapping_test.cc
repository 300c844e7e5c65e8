#include "vigil/ingest/record_mapping.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_util.h"

#include "vigil/config/config.h"
#include "vigil/config/mappings.h"

namespace vigil::ingest {
namespace {

using model::RecordKind;
using Strings = std::vector<std::string>;

// A parsed JSON document that outlives the elements taken from it.
class Json {
 public:
  explicit Json(const std::string& text) : parser_(std::make_unique<simdjson::dom::parser>()) {
    simdjson::padded_string padded(text);
    const simdjson::error_code error = parser_->parse(padded).get(root_);
    EXPECT_EQ(error, simdjson::SUCCESS) << text;
  }
  simdjson::dom::element root() const { return root_; }
  // The elements of a top-level array, as an adapter hands children over.
  std::vector<simdjson::dom::element> Elements() const {
    std::vector<simdjson::dom::element> out;
    simdjson::dom::array array;
    EXPECT_EQ(root_.get_array().get(array), simdjson::SUCCESS);
    for (simdjson::dom::element e : array) {
      out.push_back(e);
    }
    return out;
  }

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
};

config::MappingPath P(const std::string& text) {
  Result<config::MappingPath> p = config::ParseMappingPath(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status().ToString();
  return p.ok() ? *p : config::MappingPath{};
}

Strings Eval(const std::string& path, const RecordView& view) {
  return EvaluatePath(P(path), view);
}

// A mapper from one `<kind>:` block of rules (no defaults beyond them).
RecordMapper Mapper(const std::string& yaml, std::string_view source = "pagerduty",
                    RecordKind kind = RecordKind::kIncident) {
  Result<config::SourceMappings> m =
      config::ParseSourceMappings(yaml, source, kind, "test mapping");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  config::SourceMappings mappings = m.ok() ? *m : config::SourceMappings{};
  Result<RecordMapper> mapper = RecordMapper::Create(mappings, nullptr);
  EXPECT_TRUE(mapper.ok()) << mapper.status().ToString();
  return *std::move(mapper);
}

// --- EvaluatePath ----------------------------------------------------------------------------

TEST(EvaluatePathTest, ScalarsYieldTheirText) {
  Json doc(R"({"s": "text", "i": 42, "neg": -7, "big": 18446744073709551615, "d": 1.5,
               "t": true, "f": false, "n": null, "o": {"a": 1}, "e": ""})");
  RecordView view{doc.root(), {}, nullptr};
  EXPECT_EQ(Eval("s", view), Strings{"text"});
  // Integers print as written, without ".0".
  EXPECT_EQ(Eval("i", view), Strings{"42"});
  EXPECT_EQ(Eval("neg", view), Strings{"-7"});
  EXPECT_EQ(Eval("big", view), Strings{"18446744073709551615"});
  EXPECT_EQ(Eval("d", view), Strings{"1.5"});
  EXPECT_EQ(Eval("t", view), Strings{"true"});
  EXPECT_EQ(Eval("f", view), Strings{"false"});
  EXPECT_EQ(Eval("n", view), Strings{});  // null yields nothing
  EXPECT_EQ(Eval("o", view), Strings{});  // an object yields nothing
  EXPECT_EQ(Eval("missing", view), Strings{});
  EXPECT_EQ(Eval("s.deeper", view), Strings{});  // a member of a string
  EXPECT_EQ(Eval("e", view), Strings{""});       // an empty string is a value of the path
  EXPECT_EQ(Eval("o.a", view), Strings{"1"});
}

TEST(EvaluatePathTest, ArraysIndexesWildcardsAndSelections) {
  Json doc(R"({
    "labels": ["bug", "customer-reported", 3, null, {"x": 1}],
    "objs": [{"name": "impact_start", "value": "2024-06-10T08:05:00Z"},
             {"name": "Causing_Release ", "value": "checkout@v2.4.1"},
             {"name": "team", "value": {"value": "payments"}},
             "not an object"],
    "nested": [[1, 2], [3]],
    "key with.dots": {"a": "dotted"}
  })");
  RecordView view{doc.root(), {}, nullptr};
  // An array at the end yields each scalar element.
  EXPECT_EQ(Eval("labels", view), (Strings{"bug", "customer-reported", "3"}));
  EXPECT_EQ(Eval("labels[1]", view), Strings{"customer-reported"});
  EXPECT_EQ(Eval("labels[5]", view), Strings{});  // past the end
  EXPECT_EQ(Eval("labels[*]", view), (Strings{"bug", "customer-reported", "3"}));
  EXPECT_EQ(Eval("objs[0].value", view), Strings{"2024-06-10T08:05:00Z"});
  // Selection compares trimmed and case-folded: "Causing_Release " matches.
  EXPECT_EQ(Eval("objs[name=causing_release].value", view), Strings{"checkout@v2.4.1"});
  EXPECT_EQ(Eval("objs[name=\"IMPACT_START\"].value", view), Strings{"2024-06-10T08:05:00Z"});
  EXPECT_EQ(Eval("objs[name=nothing].value", view), Strings{});
  EXPECT_EQ(Eval("objs[name=team].value", view), Strings{});  // an object
  EXPECT_EQ(Eval("objs[name=team].value.value", view), Strings{"payments"});
  // A member step on an array applies to each element.
  EXPECT_EQ(Eval("objs.name", view), (Strings{"impact_start", "Causing_Release ", "team"}));
  EXPECT_EQ(Eval("objs[*].name", view), (Strings{"impact_start", "Causing_Release ", "team"}));
  // Nested arrays: [*] takes the inner arrays, whose elements the end of the path yields.
  EXPECT_EQ(Eval("nested[*]", view), (Strings{"1", "2", "3"}));
  EXPECT_EQ(Eval("nested[1][0]", view), Strings{"3"});
  EXPECT_EQ(Eval("[\"key with.dots\"].a", view), Strings{"dotted"});
  EXPECT_EQ(Eval("labels[0].x", view), Strings{});
  EXPECT_EQ(Eval("objs[0][0]", view), Strings{});  // an index on an object
}

TEST(EvaluatePathTest, ChildCollectionsReplaceTheRecordsMember) {
  // The incident embeds an out-of-date custom_fields; the adapter found the current values
  // in another file and hands them over as children.
  Json incident(R"({"id": "PT4KHLK", "custom_fields": [{"name": "stale", "value": "x"}]})");
  Json fields(R"([{"id": "PT2VX4C", "name": "impact_start", "value": "2024-06-10T08:05:00Z"},
                  {"id": "PXYZ123", "name": "causing_release", "value": "checkout@v2.4.1"}])");
  Json entries(R"([{"type": "trigger_log_entry", "agent": {"type": "service_reference"}},
                   {"type": "resolve_log_entry", "agent": {"type": "user_reference"}}])");
  RecordView view{incident.root(),
                  {{"custom_fields", fields.Elements()}, {"log_entries", entries.Elements()}},
                  nullptr};
  // A custom field by name and by id.
  EXPECT_EQ(Eval("custom_fields[name=causing_release].value", view), Strings{"checkout@v2.4.1"});
  EXPECT_EQ(Eval("custom_fields[id=PT2VX4C].value", view), Strings{"2024-06-10T08:05:00Z"});
  EXPECT_EQ(Eval("custom_fields[name=stale].value", view), Strings{});
  EXPECT_EQ(Eval("custom_fields[1].id", view), Strings{"PXYZ123"});
  EXPECT_EQ(Eval("custom_fields[*].name", view), (Strings{"impact_start", "causing_release"}));
  EXPECT_EQ(Eval("custom_fields.name", view), (Strings{"impact_start", "causing_release"}));
  EXPECT_EQ(Eval("log_entries[type=trigger_log_entry].agent.type", view),
            Strings{"service_reference"});
  EXPECT_EQ(Eval("id", view), Strings{"PT4KHLK"});
  // Not the first step: an ordinary member.
  Json wrapper(R"({"incident": {"custom_fields": [{"name": "a", "value": "embedded"}]}})");
  RecordView wrapped{wrapper.root(), {{"custom_fields", fields.Elements()}}, nullptr};
  EXPECT_EQ(Eval("incident.custom_fields[name=a].value", wrapped), Strings{"embedded"});
}

TEST(EvaluatePathTest, AliasesFindCustomFieldsByName) {
  Json issue(R"({"key": "PAY-812", "fields": {"customfield_10050": {"value": "Customer"},
                 "summary": "Checkout fails"}})");
  const std::map<std::string, std::string, std::less<>> names = {
      {"customer impact", "customfield_10050"}, {"summary", "customfield_99999"}};
  RecordView view{issue.root(), {}, &names};
  EXPECT_EQ(Eval("fields[\"Customer Impact\"].value", view), Strings{"Customer"});
  EXPECT_EQ(Eval("fields.customfield_10050.value", view), Strings{"Customer"});
  // A member that exists is read as is; the alias is only a fallback.
  EXPECT_EQ(Eval("fields.summary", view), Strings{"Checkout fails"});
  RecordView without{issue.root(), {}, nullptr};
  EXPECT_EQ(Eval("fields[\"Customer Impact\"].value", without), Strings{});
}

// --- Predicates ------------------------------------------------------------------------------

TEST(PredicateTest, EachOperator) {
  Json doc(R"({"labels": ["Bug", " Customer-Reported "], "priority": {"name": "High"},
               "body": "Line one\nSeverity: SEV2", "empty": [], "n": null})");
  RecordView view{doc.root(), {}, nullptr};
  struct Case {
    std::string when;
    bool holds;
  };
  const Case cases[] = {
      // equals: some value, trimmed and case-folded.
      {"{path: labels, equals: customer-reported}", true},
      {"{path: labels, equals: customer}", false},
      {"{path: priority.name, equals: HIGH}", true},
      {"{path: missing, equals: x}", false},
      // contains: case-folded substring.
      {"{path: labels, contains: CUSTOMER}", true},
      {"{path: body, contains: sev2}", true},
      {"{path: body, contains: sev3}", false},
      // matches: RE2 search, case as written.
      {"{path: body, matches: '(?m)^Severity: SEV[0-9]$'}", true},
      {"{path: body, matches: 'severity'}", false},
      {"{path: body, matches: '(?i)severity'}", true},
      // exists: anything but null; an object counts, an empty array does not.
      {"{path: priority, exists: true}", true},
      {"{path: priority.name, exists: true}", true},
      {"{path: empty, exists: true}", false},
      {"{path: n, exists: true}", false},
      {"{path: n, exists: false}", true},
      {"{path: missing, exists: false}", true},
      // any / all / not.
      {"{any: [{path: labels, equals: nope}, {path: priority.name, equals: high}]}", true},
      {"{any: [{path: labels, equals: nope}, {path: missing, exists: true}]}", false},
      {"{all: [{path: labels, equals: bug}, {path: priority.name, equals: high}]}", true},
      {"{all: [{path: labels, equals: bug}, {path: priority.name, equals: low}]}", false},
      {"{not: {path: labels, equals: bug}}", false},
      {"{not: {not: {path: labels, equals: bug}}}", true},
  };
  for (const Case& c : cases) {
    RecordMapper m = Mapper("title:\n  when: " + c.when + "\n  value: yes\n");
    EXPECT_EQ(m.Value("title", view).has_value(), c.holds) << c.when;
  }
}

// --- Rules -----------------------------------------------------------------------------------

TEST(RuleTest, StepsApplyInOrderFromRegexSplitValues) {
  Json doc(R"({"body": "Release notes\nAreas: Checkout , Payments,, search\nEnd"})");
  RecordView view{doc.root(), {}, nullptr};
  // from: the body; regex group 1: " Checkout , Payments,, search"; split at ",": "Checkout",
  // "Payments", "search" (trimmed, the empty item dropped); values: "checkout" → "co" (keys
  // are case-folded), "Payments" kept (unmatched: keep), "search" → "find".
  RecordMapper m = Mapper(
      "areas:\n"
      "  from: body\n"
      "  regex: '(?m)^Areas:(.*)$'\n"
      "  split: ','\n"
      "  values: {checkout: co, SEARCH: find}\n",
      "github", RecordKind::kRelease);
  EXPECT_EQ(m.Values("areas", view), (Strings{"co", "Payments", "find"}));
}

TEST(RuleTest, RegexTakesGroupOneOrTheWholeMatchAndDropsNonMatches) {
  Json doc(R"({"tags": ["v1.2.3", "latest", "release-2.0.0"]})");
  RecordView view{doc.root(), {}, nullptr};
  // "v1.2.3" → "1.2.3"; "latest" has no digit run: dropped; "release-2.0.0" → "2.0.0".
  RecordMapper m = Mapper("version: {from: tags, regex: '[0-9]+(\\.[0-9]+)*'}\n", "github",
                          RecordKind::kRelease);
  // With a group, group 1 would be ".3"; the pattern has one, so that is what it yields.
  EXPECT_EQ(m.Values("version", view), (Strings{".3", ".0"}));
  RecordMapper whole = Mapper("version: {from: tags, regex: '[0-9]+(?:\\.[0-9]+)*'}\n", "github",
                              RecordKind::kRelease);
  EXPECT_EQ(whole.Values("version", view), (Strings{"1.2.3", "2.0.0"}));
}

TEST(RuleTest, TheFirstYieldingRuleWins) {
  Json doc(R"({"priority": null, "urgency": "high", "labels": ["p9"]})");
  RecordView view{doc.root(), {}, nullptr};
  RecordMapper m = Mapper(
      "severity:\n"
      "  - when: {path: labels, equals: sev1}\n"  // does not hold
      "    value: critical\n"
      "  - from: priority.summary\n"  // null priority: nothing
      "    values: {P1: critical}\n"
      "  - from: labels\n"  // "p9" is not in the table and is dropped
      "    values: {p1: critical}\n"
      "    unmatched: drop\n"
      "  - from: urgency\n"  // the first to yield
      "    values: {high: significant, low: minor}\n"
      "  - value: minor\n");  // never reached
  EXPECT_EQ(m.Values("severity", view), Strings{"significant"});
  EXPECT_EQ(m.Value("severity", view), "significant");
}

TEST(RuleTest, FromListsYieldEveryPathsValuesInOrder) {
  Json doc(R"({"a": "1", "b": ["2", "3"], "c": null})");
  RecordView view{doc.root(), {}, nullptr};
  RecordMapper m = Mapper("paths: {from: [b, c, a]}\n");
  EXPECT_EQ(m.Values("paths", view), (Strings{"2", "3", "1"}));
  EXPECT_EQ(m.Value("paths", view), "2");
}

TEST(RuleTest, EmptyValuesDoNotCountAsYielding) {
  Json doc(R"({"name": "  ", "tag_name": "v2.4.1", "kind": "none"})");
  RecordView view{doc.root(), {}, nullptr};
  // The name is only spaces: the next rule gives the tag. A table value of "" drops a value.
  RecordMapper m = Mapper(
      "name: [{from: name}, {from: tag_name}]\n"
      "type: [{from: kind, values: {none: ''}}, {value: patch}]\n",
      "github", RecordKind::kRelease);
  EXPECT_EQ(m.Value("name", view), "v2.4.1");
  EXPECT_EQ(m.Value("type", view), "patch");
}

TEST(RuleTest, ValueTablesFoldCaseAndSpaces) {
  Json doc(R"({"a": " HIGH ", "b": "Low", "c": "medium"})");
  RecordView view{doc.root(), {}, nullptr};
  RecordMapper m = Mapper(
      "severity: {from: a, values: {high: significant, LOW: minor}}\n"
      "title: {from: b, values: {high: significant, LOW: minor}}\n"
      "status: {from: c, values: {high: significant}}\n"
      "team: {from: c, values: {high: significant}, unmatched: drop}\n");
  EXPECT_EQ(m.Value("severity", view), "significant");
  EXPECT_EQ(m.Value("title", view), "minor");
  EXPECT_EQ(m.Value("status", view), "medium");  // unmatched: keep, as it was
  EXPECT_EQ(m.Value("team", view), std::nullopt);
}

TEST(RuleTest, UnmappedFieldsYieldNothing) {
  Json doc(R"({"title": "x"})");
  RecordView view{doc.root(), {}, nullptr};
  RecordMapper m = Mapper("title: {from: title}\nteam: []\n");
  EXPECT_TRUE(m.Has("title"));
  EXPECT_FALSE(m.Has("team"));  // an empty rule list is no rule
  EXPECT_FALSE(m.Has("service"));
  EXPECT_EQ(m.Values("service", view), Strings{});
  EXPECT_EQ(m.Value("team", view), std::nullopt);
}

// --- Worked cases from real exports ---------------------------------------------------------

TEST(WorkedCaseTest, HotfixForAndAreasFromAMultiLineReleaseBody) {
  Json release(R"({"tag_name": "v2.4.2", "name": "Hotfix: double charge",
    "body": "Fixes the double charge on retries.\r\n\r\nHotfix-For: v2.4.1\r\nAreas: checkout, payments\r\n"})");
  RecordView view{release.root(), {}, nullptr};
  RecordMapper m = Mapper(
      "hotfix_for:\n"
      "  from: body\n"
      "  regex: '(?m)^Hotfix-For:\\s*v?(\\S+)'\n"
      "areas:\n"
      "  from: body\n"
      "  regex: '(?m)^Areas:([^\\r\\n]*)'\n"
      "  split: ','\n",
      "github", RecordKind::kRelease);
  // "Hotfix-For: v2.4.1" → group 1 after an optional v: "2.4.1" (\S+ stops at the \r).
  EXPECT_EQ(m.Values("hotfix_for", view), Strings{"2.4.1"});
  // " checkout, payments" split at "," and trimmed.
  EXPECT_EQ(m.Values("areas", view), (Strings{"checkout", "payments"}));
}

TEST(WorkedCaseTest, ServiceAtVersionWithAnOptionalV) {
  Json fields(R"([{"name": "causing_release", "value": "checkout@v2.4.1"}])");
  Json plain(R"([{"name": "causing_release", "value": "payments@3.0.0"}])");
  Json incident(R"({"id": "PT4KHLK"})");
  RecordMapper m = Mapper(
      "cause_service:\n"
      "  from: 'custom_fields[name=causing_release].value'\n"
      "  regex: '^([^@]+)@'\n"
      "cause_version:\n"
      "  from: 'custom_fields[name=causing_release].value'\n"
      "  regex: '@v?(.+)$'\n");
  RecordView a{incident.root(), {{"custom_fields", fields.Elements()}}, nullptr};
  EXPECT_EQ(m.Value("cause_service", a), "checkout");
  EXPECT_EQ(m.Value("cause_version", a), "2.4.1");
  RecordView b{incident.root(), {{"custom_fields", plain.Elements()}}, nullptr};
  EXPECT_EQ(m.Value("cause_service", b), "payments");
  EXPECT_EQ(m.Value("cause_version", b), "3.0.0");
}

TEST(WorkedCaseTest, IncidentIdFromAPagerDutyLink) {
  Json issue(
      R"({"fields": {"customfield_10060": "https://acme.pagerduty.com/incidents/PT4KHLK"}})");
  RecordView view{issue.root(), {}, nullptr};
  RecordMapper m = Mapper(
      "incident:\n"
      "  from: fields.customfield_10060\n"
      "  regex: '/incidents/([A-Z0-9]+)'\n",
      "jira", RecordKind::kDefect);
  EXPECT_EQ(m.Value("incident", view), "PT4KHLK");
}

TEST(WorkedCaseTest, DesignSeverityDefaults) {
  // DESIGN §2's PagerDuty rule, written as the adapter's defaults would be.
  RecordMapper m = Mapper(
      "severity:\n"
      "  - from: priority.summary\n"
      "    values: {P1: critical, P2: significant, P3: minor, P4: minor, P5: minor}\n"
      "    unmatched: drop\n"
      "  - from: urgency\n"
      "    values: {high: significant, low: minor}\n");
  struct Case {
    std::string json;
    std::optional<std::string> severity;
  };
  const Case cases[] = {
      {R"({"priority": {"summary": "P1"}, "urgency": "low"})", "critical"},
      {R"({"priority": {"summary": "P2"}, "urgency": "low"})", "significant"},
      {R"({"priority": {"summary": "P5"}, "urgency": "high"})", "minor"},
      {R"({"priority": null, "urgency": "high"})", "significant"},
      {R"({"urgency": "low"})", "minor"},
      // An account-defined priority the table lacks falls back to urgency.
      {R"({"priority": {"summary": "SEV-0"}, "urgency": "high"})", "significant"},
      {R"({"priority": null})", std::nullopt},
  };
  for (const Case& c : cases) {
    Json doc(c.json);
    RecordView view{doc.root(), {}, nullptr};
    EXPECT_EQ(m.Value("severity", view), c.severity) << c.json;
  }
}

// --- Create ---------------------------------------------------------------------------------

config::SourceMappings Parsed(const std::string& yaml, std::string_view source, RecordKind kind) {
  Result<config::SourceMappings> m = config::ParseSourceMappings(yaml, source, kind, "test");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : config::SourceMappings{};
}

TEST(CreateTest, AUserFieldReplacesThatFieldsDefaultsOnly) {
  config::SourceMappings defaults = Parsed(
      "service: {from: service.summary}\n"
      "severity:\n"
      "  - {from: priority.summary, values: {P1: critical}, unmatched: drop}\n"
      "  - {from: urgency, values: {high: significant}}\n"
      "team: {from: 'teams[0].summary'}\n",  // quoted: '[' is special in {...}
      "pagerduty", RecordKind::kIncident);
  config::SourceMappings user = Parsed(
      "severity: {from: 'custom_fields[name=sev].value'}\n"
      "team: []\n"
      "area: {value: checkout}\n",
      "pagerduty", RecordKind::kIncident);
  Json doc(R"({"service": {"summary": "checkout"}, "priority": {"summary": "P1"},
               "urgency": "high", "teams": [{"summary": "payments"}],
               "custom_fields": [{"name": "sev", "value": "minor"}]})");
  RecordView view{doc.root(), {}, nullptr};
  Result<RecordMapper> m = RecordMapper::Create(defaults, &user);
  ASSERT_OK(m);
  EXPECT_EQ(m->Value("service", view), "checkout");  // default kept
  // The user's one rule replaces both default rules: P1 → critical is gone.
  EXPECT_EQ(m->Values("severity", view), Strings{"minor"});
  EXPECT_FALSE(m->Has("team"));  // turned off
  EXPECT_EQ(m->Value("team", view), std::nullopt);
  EXPECT_EQ(m->Value("area", view), "checkout");  // added
  // Defaults alone.
  Result<RecordMapper> d = RecordMapper::Create(defaults, nullptr);
  ASSERT_OK(d);
  EXPECT_EQ(d->Value("severity", view), "critical");
  EXPECT_EQ(d->Value("team", view), "payments");
}

TEST(CreateTest, RejectsRegexesThatDoNotCompileAndMismatchedBlocks) {
  config::SourceMappings bad;
  bad.source = "github";
  bad.kind = RecordKind::kRelease;
  config::MappingRule rule;
  rule.value = "x";
  rule.regex = "(";
  rule.line = 7;
  bad.fields.push_back(config::FieldMapping{"version", {rule}});
  Result<RecordMapper> m = RecordMapper::Create(bad, nullptr);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.status().message(),
            "github releases mapping, field 'version' (rule at line 7): bad regex '(': missing "
            "): (");

  config::SourceMappings defaults;
  defaults.source = "github";
  defaults.kind = RecordKind::kDeployment;
  config::SourceMappings user;
  user.source = "github";
  user.kind = RecordKind::kRelease;
  Result<RecordMapper> mismatch = RecordMapper::Create(defaults, &user);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().message(),
            "mappings for github releases cannot replace the defaults of github deployments");
}

TEST(CreateTest, AMapperIsSharedByCopies) {
  RecordMapper a = Mapper("title: {from: title}\n");
  RecordMapper b = a;  // cheap: the compiled rules are shared and immutable
  Json doc(R"({"title": "x"})");
  RecordView view{doc.root(), {}, nullptr};
  EXPECT_EQ(a.Value("title", view), b.Value("title", view));
}

// --- docs/mappings.md: each example, as written there --------------------------------------

// Parses a docs example as the `mappings:` of a vigil.yaml and builds the mapper for one
// source and kind (no defaults: the example's own rules).
RecordMapper DocsMapper(const std::string& yaml, std::string_view source, RecordKind kind) {
  Result<config::Config> c = config::ParseConfig(yaml, "docs/mappings.md");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  const config::SourceMappings* user = c.ok() ? c->FindMappings(source, kind) : nullptr;
  EXPECT_NE(user, nullptr);
  config::SourceMappings defaults;
  defaults.source = std::string(source);
  defaults.kind = kind;
  Result<RecordMapper> m = RecordMapper::Create(defaults, user);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *std::move(m);
}

TEST(DocsExamplesTest, Introduction) {
  RecordMapper m = DocsMapper(R"yaml(mappings:
  pagerduty:                       # the source (the adapter)
    incidents:                     # a record kind the source produces
      service:                     # a vigil field of that kind
        from: service.summary      # a path into the exported record
        values: {"Checkout API": checkout}   # a value table
      severity:                    # a list of rules: the first that yields a value wins
        - from: priority.summary
          values: {P1: critical, P2: significant, P3: minor, P4: minor, P5: minor}
          unmatched: drop
        - from: urgency
          values: {high: significant, low: minor}
)yaml",
                              "pagerduty", RecordKind::kIncident);
  Json doc(R"({"service": {"summary": "Checkout API"}, "priority": null, "urgency": "low"})");
  RecordView view{doc.root(), {}, nullptr};
  EXPECT_EQ(m.Value("service", view), "checkout");
  EXPECT_EQ(m.Value("severity", view), "minor");
}

TEST(DocsExamplesTest, WorkedAreasExample) {
  RecordMapper m = DocsMapper(R"yaml(mappings:
  github:
    releases:
      areas:
        from: body
        regex: '(?m)^Areas:(.*)$'     # (?m): ^ and $ match at each line
        split: ","
)yaml",
                              "github", RecordKind::kRelease);
  Json doc(R"({"body": "Notes\nAreas: checkout, payments\n"})");
  RecordView view{doc.root(), {}, nullptr};
  EXPECT_EQ(m.Values("areas", view), (Strings{"checkout", "payments"}));
}

TEST(DocsExamplesTest, PagerDutyIncidents) {
  RecordMapper m = DocsMapper(R"yaml(mappings:
  pagerduty:
    incidents:
      service:
        from: service.summary
        values: {"Checkout API": checkout, "Payments (prod)": payments}
      started_at:
        from: ['custom_fields[name=impact_start].value', 'custom_fields[name=impact_start].value.value']
      cause_service:
        from: 'custom_fields[name=causing_release].value'
        regex: '^([^@]+)@'
      cause_version:
        from: 'custom_fields[name=causing_release].value'
        regex: '@v?(.+)$'
      escape_phase:
        from: 'custom_fields[name=escape_phase].value'
        values: {"Unit tests": unit, "Integration tests": integration, "Prod only": production-only}
      team:
        from: teams[0].summary
      detection_source:
        from: 'log_entries[type=trigger_log_entry].agent.type'
        values: {service_reference: alert, user_reference: engineer}
)yaml",
                              "pagerduty", RecordKind::kIncident);
  Json incident(R"({"id": "PT4KHLK", "service": {"summary": "Checkout API"},
                    "teams": [{"summary": "Payments Team"}]})");
  // impact_start wrapped as {value: ...}, the others bare: the from list reads both forms.
  Json fields(R"([{"name": "impact_start", "value": {"value": "2024-06-10T08:05:00Z"}},
                  {"name": "causing_release", "value": "checkout@v2.4.1"},
                  {"name": "escape_phase", "value": "Integration tests"}])");
  Json entries(R"([{"type": "trigger_log_entry", "agent": {"type": "service_reference"}}])");
  RecordView view{incident.root(),
                  {{"custom_fields", fields.Elements()}, {"log_entries", entries.Elements()}},
                  nullptr};
  EXPECT_EQ(m.Value("service", view), "checkout");
  EXPECT_EQ(m.Value("started_at", view), "2024-06-10T08:05:00Z");
  EXPECT_EQ(m.Value("cause_service", view), "checkout");
  EXPECT_EQ(m.Value("cause_version", view), "2.4.1");
  EXPECT_EQ(m.Value("escape_phase", view), "integration");
  EXPECT_EQ(m.Value("team", view), "Payments Team");
  EXPECT_EQ(m.Value("detection_source", view), "alert");
}

TEST(DocsExamplesTest, JiraDefects) {
  RecordMapper m = DocsMapper(R"yaml(mappings:
  jira:
    defects:
      service:
        from: fields.components[0].name
      area:
        from: 'fields["Feature Area"].value'
      reporter:
        - when:
            any:
              - {path: 'fields["Customer Impact"].value', equals: Customer}
              - {path: fields.labels, equals: customer-reported}
          value: customer
        - value: internal
      release:
        from: fields.versions[0].name
        regex: '^v?(.+)$'
      incident:
        from: fields.customfield_10060
        regex: '/incidents/([A-Z0-9]+)'
      escape_phase:
        from: fields.customfield_10070.value
        values: {"Unit tests": unit, "Integration tests": integration, Staging: staging}
)yaml",
                              "jira", RecordKind::kDefect);
  Json issue(R"({"id": "10431", "key": "PAY-812", "fields": {
    "components": [{"id": "10020", "name": "payments-api"}],
    "customfield_10080": {"id": "1", "value": "Checkout"},
    "customfield_10050": null,
    "labels": ["customer-reported", "checkout"],
    "versions": [{"id": "3", "name": "v3.4.1", "released": true}],
    "customfield_10060": "https://acme.pagerduty.com/incidents/PT4KHLK",
    "customfield_10070": {"id": "7", "value": "Staging"}}})");
  const std::map<std::string, std::string, std::less<>> names = {
      {"feature area", "customfield_10080"}, {"customer impact", "customfield_10050"}};
  RecordView view{issue.root(), {}, &names};
  EXPECT_EQ(m.Value("service", view), "payments-api");
  EXPECT_EQ(m.Value("area", view), "Checkout");
  EXPECT_EQ(m.Value("reporter", view), "customer");  // by the label: Customer Impact is null
  EXPECT_EQ(m.Value("release", view), "3.4.1");
  EXPECT_EQ(m.Value("incident", view), "PT4KHLK");
  EXPECT_EQ(m.Value("escape_phase", view), "staging");
  // An internal bug: no label, no customer impact.
  Json internal(R"({"fields": {"labels": [], "customfield_10050": {"value": "None"}}})");
  RecordView iview{internal.root(), {}, &names};
  EXPECT_EQ(m.Value("reporter", iview), "internal");
}

TEST(DocsExamplesTest, GithubReleases) {
  RecordMapper m = DocsMapper(R"yaml(mappings:
  github:
    releases:
      service:
        from: tag_name
        regex: '^([a-z0-9-]+)/'
      version:
        from: tag_name
        regex: '/v?([0-9][^/]*)$'
      hotfix_for:
        from: body
        regex: '(?m)^Hotfix-For:\s*v?(\S+)'
      hotfix:
        - when: {path: body, matches: '(?m)^Hotfix-For:'}
          value: "true"
        - when: {path: name, contains: hotfix}
          value: "true"
      areas:
        from: body
        regex: '(?m)^Areas:(.*)$'
        split: ","
      team:
        from: body
        regex: '(?m)^Team:\s*(\S+)'
)yaml",
                              "github", RecordKind::kRelease);
  Json release(R"({"tag_name": "checkout/v2.4.2", "name": "2.4.2",
    "body": "Fixes the double charge.\n\nHotfix-For: v2.4.1\nAreas: checkout, payments\nTeam: payments-team"})");
  RecordView view{release.root(), {}, nullptr};
  EXPECT_EQ(m.Value("service", view), "checkout");
  EXPECT_EQ(m.Value("version", view), "2.4.2");
  EXPECT_EQ(m.Value("hotfix_for", view), "2.4.1");
  EXPECT_EQ(m.Value("hotfix", view), "true");
  EXPECT_EQ(m.Values("areas", view), (Strings{"checkout", "payments"}));
  EXPECT_EQ(m.Value("team", view), "payments-team");
  // A plain release: no hotfix, no areas.
  Json plain(R"({"tag_name": "checkout/v2.5.0", "name": "2.5.0", "body": null})");
  RecordView pview{plain.root(), {}, nullptr};
  EXPECT_EQ(m.Value("version", pview), "2.5.0");
  EXPECT_EQ(m.Value("hotfix", pview), std::nullopt);
  EXPECT_EQ(m.Values("areas", pview), Strings{});
}

TEST(DocsExamplesTest, GithubIssues) {
  RecordMapper m = DocsMapper(R"yaml(mappings:
  github:
    defects:
      is_bug:
        - when:
            any:
              - {path: labels.name, equals: bug}
              - {path: type.name, equals: Bug}
          value: "true"
        - value: "false"
      reporter:
        - when:
            any:
              - {path: labels.name, equals: customer-reported}
              - {path: author_association, equals: NONE}
          value: customer
        - value: internal
      severity:
        from: labels.name
        regex: '^severity/(.+)$'
        values: {sev1: critical, sev2: significant, sev3: minor}
      area:
        from: labels.name
        regex: '^area/(.+)$'
      release:
        from: body
        regex: '(?m)^Version:\s*v?(\S+)'
)yaml",
                              "github", RecordKind::kDefect);
  Json issue(R"({"number": 42, "author_association": "NONE", "type": null,
    "labels": [{"name": "bug"}, {"name": "severity/sev2"}, {"name": "area/checkout"}],
    "body": "Steps to reproduce...\nVersion: v2.4.1\n"})");
  RecordView view{issue.root(), {}, nullptr};
  EXPECT_EQ(m.Value("is_bug", view), "true");
  EXPECT_EQ(m.Value("reporter", view), "customer");
  EXPECT_EQ(m.Value("severity", view), "significant");
  EXPECT_EQ(m.Value("area", view), "checkout");
  EXPECT_EQ(m.Value("release", view), "2.4.1");
  Json feature(R"({"number": 43, "author_association": "MEMBER", "labels": [{"name": "feature"}],
                   "type": {"name": "Feature"}, "body": null})");
  RecordView fview{feature.root(), {}, nullptr};
  EXPECT_EQ(m.Value("is_bug", fview), "false");
  EXPECT_EQ(m.Value("reporter", fview), "internal");
}

TEST(DocsExamplesTest, GithubDeployments) {
  RecordMapper m = DocsMapper(R"yaml(mappings:
  github:
    deployments:
      service:
        - from: payload.service
        - from: description
          regex: '^deploy ([a-z0-9-]+)'
      environment:
        from: environment
        values: {prod: production, prod-eu: production, stg: staging}
      version:
        from: ref
        regex: '^v?([0-9].*)$'
)yaml",
                              "github", RecordKind::kDeployment);
  Json deployment(R"({"id": 77, "payload": {}, "description": "deploy checkout v3.4.1",
                      "environment": "prod-eu", "ref": "v3.4.1"})");
  RecordView view{deployment.root(), {}, nullptr};
  EXPECT_EQ(m.Value("service", view), "checkout");
  EXPECT_EQ(m.Value("environment", view), "production");
  EXPECT_EQ(m.Value("version", view), "3.4.1");
}

TEST(DocsExamplesTest, AlertmanagerAlerts) {
  RecordMapper m = DocsMapper(R"yaml(mappings:
  alertmanager:
    alerts:
      service:
        - from: labels.app
        - from: labels.job
          regex: '^(.+)-exporter$'
      incident:
        from: annotations.pagerduty_url
        regex: '/incidents/([A-Z0-9]+)'
)yaml",
                              "alertmanager", RecordKind::kAlert);
  Json alert(R"({"status": "firing", "labels": {"alertname": "CheckoutErrors",
    "job": "checkout-exporter"}, "annotations": {"pagerduty_url":
    "https://acme.pagerduty.com/incidents/PT4KHLK"}, "startsAt": "2024-06-10T08:10:00Z",
    "fingerprint": "c3a1f2e4b5d6a7b8"})");
  RecordView view{alert.root(), {}, nullptr};
  EXPECT_EQ(m.Value("service", view), "checkout");
  EXPECT_EQ(m.Value("incident", view), "PT4KHLK");
}

}  // namespace
}  // namespace vigil::ingest
