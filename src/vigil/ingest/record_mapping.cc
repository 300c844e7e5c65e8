#include "vigil/ingest/record_mapping.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include <re2/re2.h>

#include "vigil/core/text.h"

namespace vigil::ingest {
namespace {

using config::MappingPath;
using config::MappingPredicate;
using config::PathStep;
using simdjson::dom::element;
using simdjson::dom::element_type;

// As config/mappings.h allows; hand-built structs deeper than this are refused by Create.
constexpr int kMaxPredicateDepth = 16;

constexpr std::string_view kSpaces = " \t\r\n\f\v";

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kSpaces);
  if (begin == std::string_view::npos) {
    return {};
  }
  return s.substr(begin, s.find_last_not_of(kSpaces) - begin + 1);
}

// Case folding of the mapping language: ASCII lower case after trimming ASCII spaces.
std::string Fold(std::string_view s) {
  std::string out(Trim(s));
  for (char& c : out) {
    c = core::AsciiLower(c);
  }
  return out;
}

// One place a path reached: a JSON value, or a child collection standing for an array.
struct Node {
  element value;
  const std::vector<element>* children = nullptr;
};

bool IsCollection(const Node& n) {
  return n.children != nullptr || n.value.type() == element_type::ARRAY;
}

// The elements of a collection node, in order.
template <typename Fn>
void ForEachElement(const Node& n, Fn fn) {
  if (n.children != nullptr) {
    for (const element& e : *n.children) {
      fn(e);
    }
    return;
  }
  simdjson::dom::array array;
  if (n.value.get_array().get(array) != simdjson::SUCCESS) {
    return;
  }
  for (element e : array) {
    fn(e);
  }
}

// A scalar's text: strings as they are, numbers as JSON text (integers without ".0"),
// booleans "true"/"false"; nullopt for null, objects and arrays.
std::optional<std::string> ScalarText(const element& e) {
  switch (e.type()) {
    case element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s) != simdjson::SUCCESS) {
        return std::nullopt;
      }
      return std::string(s);
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return simdjson::minify(e);
    case element_type::BOOL: {
      bool b = false;
      if (e.get_bool().get(b) != simdjson::SUCCESS) {
        return std::nullopt;
      }
      return std::string(b ? "true" : "false");
    }
    case element_type::NULL_VALUE:
    case element_type::ARRAY:
    case element_type::OBJECT:
      break;
  }
  return std::nullopt;
}

// Member `name` of an object, else the member its alias names.
std::optional<element> MemberOf(const element& e, std::string_view name, const RecordView& view) {
  simdjson::dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  element member;
  if (object.at_key(name).get(member) == simdjson::SUCCESS) {
    return member;
  }
  if (view.aliases != nullptr) {
    auto alias = view.aliases->find(Fold(name));
    if (alias != view.aliases->end() &&
        object.at_key(alias->second).get(member) == simdjson::SUCCESS) {
      return member;
    }
  }
  return std::nullopt;
}

// Whether `e` is an object whose member `key` is a scalar equal to `folded_value` folded.
bool Selected(const element& e, const PathStep& step, const std::string& folded_value,
              const RecordView& view) {
  std::optional<element> member = MemberOf(e, step.name, view);
  if (!member) {
    return false;
  }
  std::optional<std::string> text = ScalarText(*member);
  return text && Fold(*text) == folded_value;
}

void ApplyStep(const PathStep& step, const Node& node, const RecordView& view,
               std::vector<Node>* out) {
  const bool collection = IsCollection(node);
  switch (step.kind) {
    case PathStep::Kind::kMember: {
      // On an array, a member step applies to each element (GitHub's `labels.name`).
      auto take = [&](const element& e) {
        if (std::optional<element> m = MemberOf(e, step.name, view)) {
          out->push_back(Node{*m, nullptr});
        }
      };
      if (collection) {
        ForEachElement(node, take);
      } else {
        take(node.value);
      }
      return;
    }
    case PathStep::Kind::kIndex: {
      if (!collection || step.index < 0) {
        return;
      }
      int64_t i = 0;
      bool found = false;
      ForEachElement(node, [&](const element& e) {
        if (!found && i++ == step.index) {
          out->push_back(Node{e, nullptr});
          found = true;
        }
      });
      return;
    }
    case PathStep::Kind::kAll:
      if (collection) {
        ForEachElement(node, [&](const element& e) { out->push_back(Node{e, nullptr}); });
      }
      return;
    case PathStep::Kind::kSelect: {
      const std::string folded = Fold(step.value);
      auto keep = [&](const element& e) {
        if (Selected(e, step, folded, view)) {
          out->push_back(Node{e, nullptr});
        }
      };
      // On a single object (a child already taken from its collection) the object itself.
      if (collection) {
        ForEachElement(node, keep);
      } else {
        keep(node.value);
      }
      return;
    }
  }
}

// Where a path leads on the view; a first step naming a child collection reads it.
std::vector<Node> Walk(const MappingPath& path, const RecordView& view) {
  std::vector<Node> current;
  size_t first = 0;
  if (!path.steps.empty() && path.steps.front().kind == PathStep::Kind::kMember) {
    auto children = view.children.find(path.steps.front().name);
    if (children != view.children.end()) {
      current.push_back(Node{element(), &children->second});
      first = 1;
    }
  }
  if (first == 0) {
    current.push_back(Node{view.record, nullptr});
  }
  for (size_t i = first; i < path.steps.size() && !current.empty(); ++i) {
    std::vector<Node> next;
    for (const Node& node : current) {
      ApplyStep(path.steps[i], node, view, &next);
    }
    current = std::move(next);
  }
  return current;
}

// Each value at the end of a walk: a collection's elements, or the node itself.
template <typename Fn>
void ForEachLeaf(const std::vector<Node>& nodes, Fn fn) {
  for (const Node& node : nodes) {
    if (IsCollection(node)) {
      ForEachElement(node, fn);
    } else {
      fn(node.value);
    }
  }
}

std::unique_ptr<RE2> CompileRegex(const std::string& pattern, std::string* error) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) {
    *error = re->error();
    return nullptr;
  }
  return re;
}

std::vector<std::string> SplitTrimmed(std::string_view text, std::string_view separator) {
  std::vector<std::string> out;
  while (true) {
    const size_t at = text.find(separator);
    std::string_view item = Trim(text.substr(0, at));
    if (!item.empty()) {
      out.emplace_back(item);
    }
    if (at == std::string_view::npos) {
      return out;
    }
    text.remove_prefix(at + separator.size());
  }
}

}  // namespace

struct RecordMapper::Compiled {
  struct Predicate {
    MappingPredicate::Op op = MappingPredicate::Op::kEquals;
    MappingPath path;
    std::string operand;      // kEquals, kContains: folded
    std::unique_ptr<RE2> re;  // kMatches
    bool exists = true;       // kExists
    std::vector<Predicate> children;
  };
  struct Rule {
    std::vector<MappingPath> from;
    std::optional<std::string> value;
    std::optional<Predicate> when;
    std::unique_ptr<RE2> regex;
    std::string split;
    bool has_table = false;
    std::map<std::string, std::string, std::less<>> table;  // folded key → value
    bool drop_unmatched = false;
  };
  std::map<std::string, std::vector<Rule>, std::less<>> fields;
};

namespace {

using Compiled = RecordMapper::Compiled;

// "pagerduty incidents mapping, field 'severity' (rule at line 12)".
std::string Where(const config::SourceMappings& mappings, const std::string& field, int line) {
  std::string out = mappings.source;
  out += ' ';
  out += model::RecordKindName(mappings.kind);
  out += " mapping, field ";
  out += core::QuoteForMessage(field);
  if (line > 0) {
    out += " (rule at line " + std::to_string(line) + ")";
  }
  return out;
}

Result<Compiled::Predicate> CompilePredicate(const MappingPredicate& p, int depth,
                                             const std::string& where) {
  if (depth > kMaxPredicateDepth) {
    return InvalidArgumentError(where + ": predicates nested deeper than " +
                                std::to_string(kMaxPredicateDepth) + " levels");
  }
  Compiled::Predicate out;
  out.op = p.op;
  out.path = p.path;
  out.exists = p.exists;
  switch (p.op) {
    case MappingPredicate::Op::kEquals:
    case MappingPredicate::Op::kContains:
      out.operand = Fold(p.operand);
      break;
    case MappingPredicate::Op::kMatches: {
      std::string error;
      out.re = CompileRegex(p.operand, &error);
      if (out.re == nullptr) {
        return InvalidArgumentError(where + ": bad regex " + core::QuoteForMessage(p.operand) +
                                    ": " + error);
      }
      break;
    }
    case MappingPredicate::Op::kExists:
      break;
    case MappingPredicate::Op::kAny:
    case MappingPredicate::Op::kAll:
    case MappingPredicate::Op::kNot:
      if (p.op == MappingPredicate::Op::kNot && p.children.size() != 1) {
        return InvalidArgumentError(where + ": not takes exactly one predicate");
      }
      if (p.children.empty()) {
        return InvalidArgumentError(where + ": any and all take at least one predicate");
      }
      for (const MappingPredicate& child : p.children) {
        Result<Compiled::Predicate> c = CompilePredicate(child, depth + 1, where);
        if (!c.ok()) {
          return c.status();
        }
        out.children.push_back(*std::move(c));
      }
      break;
  }
  return out;
}

Result<Compiled::Rule> CompileRule(const config::MappingRule& rule, const std::string& where) {
  Compiled::Rule out;
  out.from = rule.from;
  out.value = rule.value;
  if (rule.when) {
    Result<Compiled::Predicate> when = CompilePredicate(*rule.when, 1, where);
    if (!when.ok()) {
      return when.status();
    }
    out.when = *std::move(when);
  }
  if (!rule.regex.empty()) {
    std::string error;
    out.regex = CompileRegex(rule.regex, &error);
    if (out.regex == nullptr) {
      return InvalidArgumentError(where + ": bad regex " + core::QuoteForMessage(rule.regex) +
                                  ": " + error);
    }
  }
  out.split = rule.split;
  out.has_table = !rule.values.empty();
  for (const auto& [key, value] : rule.values) {
    out.table.emplace(Fold(key), value);  // The first of equal folded keys wins.
  }
  out.drop_unmatched = rule.drop_unmatched;
  return out;
}

Status AddFields(const config::SourceMappings& mappings, const config::SourceMappings* except,
                 Compiled* compiled) {
  for (const config::FieldMapping& field : mappings.fields) {
    if (except != nullptr && except->Find(field.field) != nullptr) {
      continue;  // The user's rules replace the defaults of this field.
    }
    std::vector<Compiled::Rule>& rules = compiled->fields[field.field];
    rules.clear();
    for (const config::MappingRule& rule : field.rules) {
      Result<Compiled::Rule> r = CompileRule(rule, Where(mappings, field.field, rule.line));
      if (!r.ok()) {
        return r.status();
      }
      rules.push_back(*std::move(r));
    }
  }
  return OkStatus();
}

bool AnyValue(const MappingPath& path, const RecordView& view,
              const std::function<bool(const std::string&)>& test) {
  bool found = false;
  ForEachLeaf(Walk(path, view), [&](const element& e) {
    if (!found) {
      std::optional<std::string> text = ScalarText(e);
      found = text && test(*text);
    }
  });
  return found;
}

bool Holds(const Compiled::Predicate& p, const RecordView& view) {
  switch (p.op) {
    case MappingPredicate::Op::kEquals:
      return AnyValue(p.path, view, [&](const std::string& v) { return Fold(v) == p.operand; });
    case MappingPredicate::Op::kContains:
      return AnyValue(p.path, view, [&](const std::string& v) {
        return Fold(v).find(p.operand) != std::string::npos;
      });
    case MappingPredicate::Op::kMatches:
      return AnyValue(p.path, view,
                      [&](const std::string& v) { return RE2::PartialMatch(v, *p.re); });
    case MappingPredicate::Op::kExists: {
      // Anything but null counts, objects included; an empty array holds nothing.
      bool found = false;
      ForEachLeaf(Walk(p.path, view),
                  [&](const element& e) { found = found || e.type() != element_type::NULL_VALUE; });
      return found == p.exists;
    }
    case MappingPredicate::Op::kAny:
      return std::any_of(p.children.begin(), p.children.end(),
                         [&](const Compiled::Predicate& c) { return Holds(c, view); });
    case MappingPredicate::Op::kAll:
      return std::all_of(p.children.begin(), p.children.end(),
                         [&](const Compiled::Predicate& c) { return Holds(c, view); });
    case MappingPredicate::Op::kNot:
      return !Holds(p.children.front(), view);
  }
  return false;
}

// The values one rule yields: from → regex → split → values; empty (or all-space) values
// are dropped, so a rule that gives only those yields nothing.
std::vector<std::string> Apply(const Compiled::Rule& rule, const RecordView& view) {
  std::vector<std::string> values;
  if (rule.when && !Holds(*rule.when, view)) {
    return values;
  }
  if (rule.value) {
    values.push_back(*rule.value);
  } else {
    for (const MappingPath& path : rule.from) {
      std::vector<std::string> v = EvaluatePath(path, view);
      values.insert(values.end(), std::make_move_iterator(v.begin()),
                    std::make_move_iterator(v.end()));
    }
  }
  if (rule.regex != nullptr) {
    const int groups = rule.regex->NumberOfCapturingGroups();
    const int wanted = groups >= 1 ? 1 : 0;
    std::vector<std::string> matched;
    for (const std::string& v : values) {
      re2::StringPiece parts[2];
      if (rule.regex->Match(v, 0, v.size(), RE2::UNANCHORED, parts, wanted + 1) &&
          parts[wanted].data() != nullptr) {
        matched.emplace_back(parts[wanted].data(), parts[wanted].size());
      }
    }
    values = std::move(matched);
  }
  if (!rule.split.empty()) {
    std::vector<std::string> items;
    for (const std::string& v : values) {
      std::vector<std::string> parts = SplitTrimmed(v, rule.split);
      items.insert(items.end(), std::make_move_iterator(parts.begin()),
                   std::make_move_iterator(parts.end()));
    }
    values = std::move(items);
  }
  if (rule.has_table) {
    std::vector<std::string> mapped;
    for (std::string& v : values) {
      auto found = rule.table.find(Fold(v));
      if (found != rule.table.end()) {
        mapped.push_back(found->second);
      } else if (!rule.drop_unmatched) {
        mapped.push_back(std::move(v));
      }
    }
    values = std::move(mapped);
  }
  values.erase(std::remove_if(values.begin(), values.end(),
                              [](const std::string& v) { return Trim(v).empty(); }),
               values.end());
  return values;
}

}  // namespace

RecordMapper::RecordMapper(std::shared_ptr<const Compiled> compiled)
    : compiled_(std::move(compiled)) {}

Result<RecordMapper> RecordMapper::Create(const config::SourceMappings& defaults,
                                          const config::SourceMappings* user) {
  if (user != nullptr && (user->source != defaults.source || user->kind != defaults.kind)) {
    std::string message = "mappings for ";
    message += user->source;
    message += ' ';
    message += model::RecordKindName(user->kind);
    message += " cannot replace the defaults of ";
    message += defaults.source;
    message += ' ';
    message += model::RecordKindName(defaults.kind);
    return InvalidArgumentError(std::move(message));
  }
  auto compiled = std::make_shared<Compiled>();
  VIGIL_RETURN_IF_ERROR(AddFields(defaults, user, compiled.get()));
  if (user != nullptr) {
    VIGIL_RETURN_IF_ERROR(AddFields(*user, nullptr, compiled.get()));
  }
  return RecordMapper(std::move(compiled));
}

std::vector<std::string> RecordMapper::Values(std::string_view field,
                                              const RecordView& view) const {
  auto found = compiled_->fields.find(field);
  if (found == compiled_->fields.end()) {
    return {};
  }
  for (const Compiled::Rule& rule : found->second) {
    std::vector<std::string> values = Apply(rule, view);
    if (!values.empty()) {
      return values;
    }
  }
  return {};
}

std::optional<std::string> RecordMapper::Value(std::string_view field,
                                               const RecordView& view) const {
  std::vector<std::string> values = Values(field, view);
  if (values.empty()) {
    return std::nullopt;
  }
  return std::move(values.front());
}

bool RecordMapper::Has(std::string_view field) const {
  auto found = compiled_->fields.find(field);
  return found != compiled_->fields.end() && !found->second.empty();
}

std::vector<std::string> EvaluatePath(const config::MappingPath& path, const RecordView& view) {
  std::vector<std::string> out;
  ForEachLeaf(Walk(path, view), [&](const element& e) {
    if (std::optional<std::string> text = ScalarText(e)) {
      out.push_back(*std::move(text));
    }
  });
  return out;
}

}  // namespace vigil::ingest
