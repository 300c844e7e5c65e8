#include "vigil/ingest/records_github.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "vigil/core/text.h"
#include "vigil/core/time.h"
#include "vigil/ingest/record_mapping.h"

namespace vigil::ingest {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// ---- Built-in mappings ---------------------------------------------------------------------
// The service is the repository's name, read from the API URL (`…/repos/<owner>/<repo>/…`),
// else from the web URL, else from a webhook's `repository` object.

constexpr std::string_view kDeploymentDefaults = R"yaml(
id:
  from: id
service:
  - from: url
    regex: '/repos/[^/]+/([^/]+)/deployments(?:/|$)'
  - from: repository_url
    regex: '/repos/[^/]+/([^/]+)/?$'
  - from: repository.name
  - from: repository.full_name
    regex: '([^/]+)$'
environment:
  from: environment
version:
  from: ref
commit:
  from: [sha, commit_sha]
ref:
  from: ref
deployed_at:
  from: created_at
url:
  from: url
)yaml";

constexpr std::string_view kReleaseDefaults = R"yaml(
service:
  - from: url
    regex: '/repos/[^/]+/([^/]+)/releases(?:/|$)'
  - from: html_url
    regex: '/[^/]+/([^/]+)/releases(?:/|$)'
  - from: repository.name
  - from: repository.full_name
    regex: '([^/]+)$'
version:
  from: tag_name
tag:
  from: tag_name
commit:
  from: target_commitish
  regex: '^[0-9a-fA-F]{40}$'
name:
  from: name
notes:
  from: body
prerelease:
  from: prerelease
created_at:
  - from: published_at
  - from: created_at
url:
  from: html_url
hotfix:
  - when: {any: [{path: body, matches: '(?mi)^hotfix-for:'}, {path: name, contains: hotfix}]}
    value: 'true'
  - value: 'false'
hotfix_for:
  from: body
  regex: '(?mi)^hotfix-for:[ \t]*v?(\S+)'
areas:
  from: body
  regex: '(?mi)^areas:[ \t]*([^\r\n]*)'
  split: ','
)yaml";

constexpr std::string_view kDefectDefaults = R"yaml(
is_bug:
  - when: {any: [{path: 'labels[*].name', equals: bug}, {path: labels, equals: bug},
                 {path: type.name, equals: bug}]}
    value: 'true'
  - value: 'false'
id:
  from: id
number:
  from: number
url:
  from: html_url
title:
  from: title
found_at:
  from: created_at
resolved_at:
  from: closed_at
status:
  from: state
reporter:
  - when: {any: [{path: 'labels[*].name', equals: customer-reported},
                 {path: labels, equals: customer-reported}]}
    value: customer
  - value: internal
severity:
  from: ['labels[*].name', labels]
  regex: '(?i)^(?:severity|sev)[ :/_=-]*(\S.*)$'
  values: {critical: critical, blocker: critical, '1': critical, '0': critical,
           high: significant, major: significant, significant: significant, '2': significant,
           medium: minor, moderate: minor, low: minor, minor: minor, trivial: minor,
           '3': minor, '4': minor, '5': minor}
  unmatched: drop
service:
  - from: repository_url
    regex: '/repos/[^/]+/([^/]+)/?$'
  - from: url
    regex: '/repos/[^/]+/([^/]+)/issues(?:/|$)'
  - from: repository.name
  - from: repository.full_name
    regex: '([^/]+)$'
area:
  from: ['labels[*].name', labels]
  regex: '(?i)^area[:/][ \t]*(\S.*)$'
release:
  from: body
  regex: '(?mi)^(?:affects|version):[ \t]*v?(\S+)'
)yaml";

// ---- Routing -------------------------------------------------------------------------------

enum class Shape { kUnknown, kRelease, kDeployment, kStatus, kIssue };

bool HasMember(object o, std::string_view key) {
  return o.at_key(key).error() == simdjson::SUCCESS;
}

// A webhook body names its record under one of these members.
bool IsWebhook(object o) {
  return HasMember(o, "action") && (HasMember(o, "release") || HasMember(o, "deployment") ||
                                    HasMember(o, "issue") || HasMember(o, "deployment_status"));
}

// GitHub's member names, not vigil's native ones (`tag`, `deployed_at`, `status`), so a native
// NDJSON file is never taken for a GitHub export.
Shape ClassifyRecord(object o) {
  const auto has = [&](std::string_view key) { return HasMember(o, key); };
  if (has("tag_name")) {
    return Shape::kRelease;
  }
  if (has("number") && has("title") &&
      (has("state") || has("labels") || has("repository_url") || has("html_url") ||
       has("node_id") || has("pull_request"))) {
    return Shape::kIssue;
  }
  if (has("deployment_url")) {
    return Shape::kStatus;
  }
  if (has("sha") || has("commit_sha") || has("statuses_url") || (has("ref") && has("created_at"))) {
    return Shape::kDeployment;
  }
  if (has("state") && has("created_at") && !has("number")) {
    return Shape::kStatus;
  }
  return Shape::kUnknown;
}

std::optional<object> AsObject(element e) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return o;
}

// One record of an input file, with where it came from.
struct Item {
  Shape shape = Shape::kUnknown;
  element value;
  size_t file = 0;
  size_t position = 0;  // order within its file
  std::string path;     // JSON path of the record in its file: "[3]", "", "deployment"
  std::optional<element> repository;      // a webhook's `repository`
  std::optional<element> webhook_status;  // a webhook's `deployment_status`
  std::string webhook_status_path;
  std::optional<core::Timestamp> updated_at;
};

std::string JoinPath(std::string_view base, std::string_view member) {
  std::string out(base);
  if (!out.empty()) {
    out += '.';
  }
  out += member;
  return out;
}

std::string IndexPath(std::string_view base, size_t index) {
  std::string out(base);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

std::optional<core::Timestamp> UpdatedAt(element e) {
  std::optional<std::string_view> text = JsonStringMember(e, "updated_at");
  if (!text) {
    return std::nullopt;
  }
  Result<core::Timestamp> t = core::ParseRfc3339(*text);
  return t.ok() ? std::optional<core::Timestamp>(*t) : std::nullopt;
}

// The records of one value found at `path` (an array element, or the file's root object).
void AppendItems(element value, size_t file, std::string_view path, std::vector<Item>* out) {
  Item item;
  item.value = value;
  item.file = file;
  item.position = out->size();
  item.path = std::string(path);
  std::optional<object> o = AsObject(value);
  if (!o) {
    out->push_back(std::move(item));
    return;
  }
  if (!IsWebhook(*o)) {
    item.shape = ClassifyRecord(*o);
    item.updated_at = UpdatedAt(value);
    out->push_back(std::move(item));
    return;
  }
  element repository;
  if (o->at_key("repository").get(repository) == simdjson::SUCCESS && repository.is_object()) {
    item.repository = repository;
  }
  struct Member {
    std::string_view name;
    Shape shape;
  };
  for (const Member& m : {Member{"release", Shape::kRelease}, Member{"issue", Shape::kIssue},
                          Member{"deployment", Shape::kDeployment}}) {
    element record;
    if (o->at_key(m.name).get(record) != simdjson::SUCCESS || !record.is_object()) {
      continue;
    }
    item.shape = m.shape;
    item.value = record;
    item.path = JoinPath(path, m.name);
    item.updated_at = UpdatedAt(record);
    element status;
    if (m.shape == Shape::kDeployment &&
        o->at_key("deployment_status").get(status) == simdjson::SUCCESS && status.is_object()) {
      item.webhook_status = status;
      item.webhook_status_path = JoinPath(path, "deployment_status");
    }
    out->push_back(std::move(item));
    return;
  }
  // A `deployment_status` body without its deployment (GitHub always sends both, but a
  // trimmed copy may not).
  element status;
  if (o->at_key("deployment_status").get(status) == simdjson::SUCCESS && status.is_object()) {
    item.shape = Shape::kStatus;
    item.value = status;
    item.path = JoinPath(path, "deployment_status");
    item.updated_at = UpdatedAt(status);
  }
  out->push_back(std::move(item));
}

// The records of one JSON document of a file: each element of an array (a page), the elements
// of arrays in an array (pages gathered by `gh api --paginate --slurp`), or the object itself.
// `base` prefixes the paths ("[k]" for the k-th of several concatenated documents).
void AppendItemsOfRoot(element root, size_t file, std::string_view base, std::vector<Item>* out) {
  simdjson::dom::array array;
  if (root.get_array().get(array) == simdjson::SUCCESS) {
    size_t index = 0;
    for (element e : array) {
      const std::string path = IndexPath(base, index++);
      simdjson::dom::array page;
      if (e.get_array().get(page) == simdjson::SUCCESS) {
        size_t inner = 0;
        for (element record : page) {
          AppendItems(record, file, IndexPath(path, inner++), out);
        }
      } else {
        AppendItems(e, file, path, out);
      }
    }
    return;
  }
  if (root.is_object()) {
    AppendItems(root, file, base, out);
  }
}

// One input file parsed: one JSON document, or several concatenated ones (`gh api --paginate`
// writes each page's array after the other: `[...][...]`). The parsers own the documents.
struct ParsedFile {
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;
  std::vector<element> roots;
  simdjson::error_code error = simdjson::SUCCESS;  // of the whole file, when it is not JSON
};

// Splits concatenated JSON documents; nothing unless there are at least two, all valid, and
// nothing after the last.
std::vector<std::string_view> SplitDocuments(std::string_view data,
                                             const simdjson::padded_string& padded) {
  simdjson::dom::parser splitter;
  simdjson::dom::document_stream stream;
  // The batch must hold the largest document: the whole file does.
  const size_t batch = std::max<size_t>(data.size(), simdjson::dom::MINIMAL_BATCH_SIZE);
  if (splitter.parse_many(padded, batch).get(stream) != simdjson::SUCCESS) {
    return {};
  }
  std::vector<std::string_view> sources;
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    element doc;
    if ((*it).get(doc) != simdjson::SUCCESS) {
      return {};
    }
    sources.push_back(it.source());
  }
  if (sources.size() < 2 || stream.truncated_bytes() != 0) {
    return {};
  }
  return sources;
}

ParsedFile ParseFile(std::string_view data) {
  data = StripByteOrderMark(data);
  ParsedFile out;
  auto parser = std::make_unique<simdjson::dom::parser>();
  element root;
  out.error = parser->parse(data.data(), data.size(), /*realloc_if_needed=*/true).get(root);
  if (out.error == simdjson::SUCCESS) {
    out.parsers.push_back(std::move(parser));
    out.roots.push_back(root);
    return out;
  }
  const simdjson::padded_string padded(data);
  for (std::string_view source : SplitDocuments(data, padded)) {
    parser = std::make_unique<simdjson::dom::parser>();
    if (parser->parse(source.data(), source.size(), true).get(root) != simdjson::SUCCESS) {
      out.parsers.clear();
      out.roots.clear();
      return out;
    }
    out.parsers.push_back(std::move(parser));
    out.roots.push_back(root);
  }
  if (!out.roots.empty()) {
    out.error = simdjson::SUCCESS;
  }
  return out;
}

std::vector<Item> ItemsOfFile(const ParsedFile& parsed, size_t file) {
  std::vector<Item> items;
  for (size_t k = 0; k < parsed.roots.size(); ++k) {
    AppendItemsOfRoot(parsed.roots[k], file, parsed.roots.size() > 1 ? IndexPath("", k) : "",
                      &items);
  }
  return items;
}

// ---- Identity and merging ------------------------------------------------------------------

// A JSON id (GitHub writes integers; a string is taken as is) as text, or nullopt.
std::optional<std::string> IdText(element value) {
  std::optional<object> o = AsObject(value);
  if (!o) {
    return std::nullopt;
  }
  element id;
  if (o->at_key("id").get(id) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  int64_t i = 0;
  uint64_t u = 0;
  std::string_view s;
  if (id.get(i) == simdjson::SUCCESS) {
    return std::to_string(i);
  }
  if (id.get(u) == simdjson::SUCCESS) {
    return std::to_string(u);
  }
  if (id.get(s) == simdjson::SUCCESS && !s.empty()) {
    return std::string(s);
  }
  return std::nullopt;
}

// Orders ids numerically when both are digits (GitHub's are), else digits first, else as text.
struct IdLess {
  bool operator()(const std::string& a, const std::string& b) const {
    const bool da = core::AllDigits(a);
    const bool db = core::AllDigits(b);
    if (da != db) {
      return da;
    }
    if (da && a.size() != b.size()) {
      return a.size() < b.size();
    }
    return a < b;
  }
};

// Whether `a` supersedes `b`: the later `updated_at`, else the later file and position.
bool Supersedes(const Item& a, const Item& b) {
  if (a.updated_at && b.updated_at && *a.updated_at != *b.updated_at) {
    return *a.updated_at > *b.updated_at;
  }
  return std::pair(a.file, a.position) > std::pair(b.file, b.position);
}

// All copies of one record (same kind and id) and the one that wins.
struct Group {
  const Item* winner = nullptr;
  std::vector<const Item*> copies;
};

// A deployment status element and where it was found.
struct StatusRef {
  element value;
  size_t file = 0;
  size_t position = 0;  // of the record it came in
  std::string path;
};

// ---- The parse -----------------------------------------------------------------------------

// The mapper of one kind. Without a user block it is built once (parsing the defaults and
// compiling their regexes costs more than parsing a typical export) and shared: a RecordMapper
// is immutable and may be used by several threads (record_mapping.h).
Result<RecordMapper> GithubMapper(model::RecordKind kind, const config::SourceMappings* user) {
  const auto make = [&] {
    std::string_view defaults = kDefectDefaults;
    if (kind == model::RecordKind::kDeployment) {
      defaults = kDeploymentDefaults;
    } else if (kind == model::RecordKind::kRelease) {
      defaults = kReleaseDefaults;
    }
    return MakeAdapterMapper(defaults, model::kSourceGithub, kind, user);
  };
  if (user != nullptr) {
    return make();
  }
  if (kind == model::RecordKind::kDeployment) {
    static const Result<RecordMapper> deployments = make();
    return deployments;
  }
  if (kind == model::RecordKind::kRelease) {
    static const Result<RecordMapper> releases = make();
    return releases;
  }
  static const Result<RecordMapper> defects = make();
  return defects;
}

class GithubParser {
 public:
  GithubParser(std::span<const RecordFile> files, const GithubOptions& options)
      : files_(files), options_(options) {}

  Result<ParsedRecords> Run();

 private:
  void LoadFile(size_t index);
  void Route(Item* item);
  void ResolveStatusParent(const Item& item);
  void EmitDeployments(const RecordMapper& mapper);
  void EmitDetachedStatuses();
  void EmitReleases(const RecordMapper& mapper);
  void EmitDefects(const RecordMapper& mapper);

  // Converts statuses, reporting the bad ones; sorted by (at, state), one per (state, at).
  std::vector<model::DeploymentStatus> ConvertStatuses(const std::vector<StatusRef>& refs);

  // Issues are collected with their record's place and sorted into input order at the end.
  void Reject(size_t file, size_t position, std::string path, std::string_view code,
              std::string reason);
  void Warn(size_t file, size_t position, std::string path, std::string_view code,
            std::string reason);
  void AddIssue(size_t file, size_t position, RecordIssue issue);
  // The warnings of a record that was kept.
  void WarnAll(const Item& item, const MappedRecord& mapped);

  std::span<const RecordFile> files_;
  const GithubOptions& options_;
  ParsedRecords out_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers_;  // own the parsed documents
  std::vector<std::unique_ptr<Item>> items_;
  std::map<std::string, Group, IdLess> releases_;
  std::map<std::string, Group, IdLess> deployments_;
  std::map<std::string, Group, IdLess> issues_;
  // Status files' statuses by deployment id.
  std::map<std::string, std::vector<StatusRef>, IdLess> statuses_;
  std::vector<std::pair<std::pair<size_t, size_t>, RecordIssue>> issues_in_order_;
};

void GithubParser::AddIssue(size_t file, size_t position, RecordIssue issue) {
  issue.file = files_[file].name;
  issues_in_order_.emplace_back(std::pair(file, position), std::move(issue));
}

void GithubParser::Reject(size_t file, size_t position, std::string path, std::string_view code,
                          std::string reason) {
  RecordIssue issue;
  issue.json_path = std::move(path);
  issue.code = std::string(code);
  issue.reason = std::move(reason);
  AddIssue(file, position, std::move(issue));
  ++out_.rejected;
}

void GithubParser::Warn(size_t file, size_t position, std::string path, std::string_view code,
                        std::string reason) {
  RecordIssue issue;
  issue.json_path = std::move(path);
  issue.code = std::string(code);
  issue.reason = std::move(reason);
  issue.warning = true;
  AddIssue(file, position, std::move(issue));
}

void GithubParser::WarnAll(const Item& item, const MappedRecord& mapped) {
  for (const auto& [field, why] : mapped.warnings()) {
    std::string reason = field;
    reason += ": ";
    reason += why;
    Warn(item.file, item.position, item.path, "unknown_value", std::move(reason));
  }
}

void GithubParser::LoadFile(size_t index) {
  ParsedFile parsed = ParseFile(files_[index].data);
  if (parsed.error != simdjson::SUCCESS) {
    std::string reason = "not JSON: ";
    reason += simdjson::error_message(parsed.error);
    Reject(index, 0, "", "bad_json", std::move(reason));
    return;
  }
  std::vector<Item> items = ItemsOfFile(parsed, index);
  for (auto& parser : parsed.parsers) {
    parsers_.push_back(std::move(parser));
  }
  const bool all_arrays = std::all_of(parsed.roots.begin(), parsed.roots.end(),
                                      [](element root) { return root.is_array(); });
  if (all_arrays && items.empty()) {
    return;  // Empty pages: the last page of a list can be empty.
  }
  const bool any_known = std::any_of(
      items.begin(), items.end(), [](const Item& item) { return item.shape != Shape::kUnknown; });
  if (!any_known) {
    Reject(index, 0, "", "unknown_shape",
           "not a GitHub release, deployment, deployment status or issue (nor a page of them)");
    return;
  }
  for (Item& item : items) {
    items_.push_back(std::make_unique<Item>(std::move(item)));
    Route(items_.back().get());
  }
}

void GithubParser::Route(Item* item) {
  if (item->shape == Shape::kUnknown) {
    Reject(item->file, item->position, item->path, "unknown_shape",
           "not a GitHub release, deployment, deployment status or issue");
    return;
  }
  if (item->shape == Shape::kStatus) {
    ResolveStatusParent(*item);
    return;
  }
  std::optional<std::string> id = IdText(item->value);
  if (!id) {
    Reject(item->file, item->position, JoinPath(item->path, "id"), "missing_field",
           "no 'id' (a number or a non-empty string)");
    return;
  }
  auto& groups = item->shape == Shape::kRelease      ? releases_
                 : item->shape == Shape::kDeployment ? deployments_
                                                     : issues_;
  Group& group = groups[*id];
  group.copies.push_back(item);
  if (group.winner == nullptr || Supersedes(*item, *group.winner)) {
    group.winner = item;
  }
}

// The deployment id at the end of a `deployment_url` (…/deployments/<id>), or "".
std::string_view DeploymentIdOfUrl(std::string_view url) {
  constexpr std::string_view kMarker = "/deployments/";
  const size_t at = url.rfind(kMarker);
  if (at == std::string_view::npos) {
    return {};
  }
  std::string_view id = url.substr(at + kMarker.size());
  while (!id.empty() && id.back() == '/') {
    id.remove_suffix(1);
  }
  return id.find('/') == std::string_view::npos ? id : std::string_view();
}

// The deployment id a status file's name gives: "<id>.json" or "<id>-p<N>.json".
std::string_view DeploymentIdOfFileName(std::string_view name) {
  std::string_view stem = FileStem(name);
  const size_t dash = stem.rfind("-p");
  if (dash != std::string_view::npos && core::AllDigits(stem.substr(dash + 2))) {
    stem = stem.substr(0, dash);
  }
  return core::AllDigits(stem) ? stem : std::string_view();
}

void GithubParser::ResolveStatusParent(const Item& item) {
  std::string parent;
  if (std::optional<std::string_view> url = JsonStringMember(item.value, "deployment_url")) {
    parent = std::string(DeploymentIdOfUrl(*url));
  }
  if (parent.empty()) {
    parent = std::string(DeploymentIdOfFileName(files_[item.file].name));
  }
  if (parent.empty()) {
    parent = options_.deployments.parent;
  }
  if (parent.empty()) {
    Reject(item.file, item.position, item.path, "orphan",
           "deployment status with no deployment: no 'deployment_url' ending in "
           "/deployments/<id>, the file is not named <id>.json or <id>-p<N>.json, and no "
           "--parent was given");
    return;
  }
  statuses_[parent].push_back(StatusRef{item.value, item.file, item.position, item.path});
}

std::vector<model::DeploymentStatus> GithubParser::ConvertStatuses(
    const std::vector<StatusRef>& refs) {
  std::vector<model::DeploymentStatus> statuses;
  for (const StatusRef& ref : refs) {
    if (!ref.value.is_object()) {
      Reject(ref.file, ref.position, ref.path, "wrong_type",
             "a deployment status must be an object");
      continue;
    }
    std::optional<std::string_view> state = JsonStringMember(ref.value, "state");
    if (!state) {
      Reject(ref.file, ref.position, JoinPath(ref.path, "state"), "missing_field",
             "deployment status without a 'state' string");
      continue;
    }
    std::optional<std::string_view> created = JsonStringMember(ref.value, "created_at");
    if (!created) {
      Reject(ref.file, ref.position, JoinPath(ref.path, "created_at"), "missing_field",
             "deployment status without a 'created_at' string");
      continue;
    }
    Result<core::Timestamp> at = core::ParseRfc3339(*created);
    if (!at.ok()) {
      std::string reason = "created_at ";
      reason += core::QuoteForMessage(*created);
      reason += " is not an RFC 3339 time: ";
      reason += at.status().message();
      Reject(ref.file, ref.position, JoinPath(ref.path, "created_at"), "bad_time",
             std::move(reason));
      continue;
    }
    model::DeploymentStatus status;
    status.state = model::ParseDeploymentState(*state);
    if (status.state == model::DeploymentState::kUnknown) {
      std::string reason = "unknown deployment state ";
      reason += core::QuoteForMessage(*state);
      reason += ", kept as unknown";
      Warn(ref.file, ref.position, JoinPath(ref.path, "state"), "unknown_state", std::move(reason));
    }
    status.at = *at;
    status.description = std::string(JsonStringMember(ref.value, "description").value_or(""));
    statuses.push_back(std::move(status));
  }
  // Order-independent: sorted by (at, state, description); of equal (state, at) the first
  // in that order stays.
  std::sort(statuses.begin(), statuses.end(), [](const auto& a, const auto& b) {
    return std::tie(a.at, a.state, a.description) < std::tie(b.at, b.state, b.description);
  });
  statuses.erase(
      std::unique(statuses.begin(), statuses.end(),
                  [](const auto& a, const auto& b) { return a.at == b.at && a.state == b.state; }),
      statuses.end());
  return statuses;
}

RecordView ViewOf(const Item& item) {
  RecordView view;
  view.record = item.value;
  if (item.repository) {
    view.children["repository"].push_back(*item.repository);
  }
  return view;
}

bool IsPullRequest(element value) {
  std::optional<object> o = AsObject(value);
  element pr;
  return o && o->at_key("pull_request").get(pr) == simdjson::SUCCESS && !pr.is_null();
}

bool IsDraft(element value) {
  std::optional<object> o = AsObject(value);
  bool draft = false;
  return o && o->at_key("draft").get(draft) == simdjson::SUCCESS && draft;
}

// A mapped `status` (no default: for exports that carry the outcome on the deployment itself)
// is one more status, at deployed_at, unless the same (state, time) is already there.
void AddMappedStatus(MappedRecord& mapped, model::Deployment* d) {
  if (mapped.Text("status").empty()) {
    return;
  }
  model::DeploymentStatus status;
  status.state = mapped.Word("status", &model::ParseDeploymentState);
  status.at = d->deployed_at;
  const auto same = [&](const model::DeploymentStatus& s) {
    return s.at == status.at && s.state == status.state;
  };
  if (std::none_of(d->statuses.begin(), d->statuses.end(), same)) {
    d->statuses.push_back(std::move(status));
    std::stable_sort(d->statuses.begin(), d->statuses.end(), [](const auto& a, const auto& b) {
      return std::tie(a.at, a.state) < std::tie(b.at, b.state);
    });
  }
}

void GithubParser::EmitDeployments(const RecordMapper& mapper) {
  for (auto& [id, group] : deployments_) {
    const Item& item = *group.winner;
    // Statuses: embedded in any copy of the deployment, and from status files.
    std::vector<StatusRef> refs;
    for (const Item* copy : group.copies) {
      std::optional<object> o = AsObject(copy->value);
      simdjson::dom::array embedded;
      if (o && o->at_key("statuses").get(embedded) == simdjson::SUCCESS) {
        size_t index = 0;
        for (element status : embedded) {
          refs.push_back(StatusRef{status, copy->file, copy->position,
                                   IndexPath(JoinPath(copy->path, "statuses"), index)});
          ++index;
        }
      }
      if (copy->webhook_status) {
        refs.push_back(StatusRef{*copy->webhook_status, copy->file, copy->position,
                                 copy->webhook_status_path});
      }
    }
    if (auto separate = statuses_.find(id); separate != statuses_.end()) {
      refs.insert(refs.end(), separate->second.begin(), separate->second.end());
      statuses_.erase(separate);
    }
    RecordView view = ViewOf(item);
    for (const StatusRef& ref : refs) {
      view.children["statuses"].push_back(ref.value);
    }
    MappedRecord mapped(mapper, view);
    model::Deployment d;
    d.source = std::string(model::kSourceGithub);
    d.id = mapped.Required("id");
    d.service = mapped.Required("service");
    d.environment = mapped.Required("environment");
    d.version = mapped.Required("version");
    d.commit = mapped.Text("commit");
    d.ref = mapped.Text("ref");
    d.deployed_at = mapped.Time("deployed_at", /*required=*/true).value_or(core::Timestamp());
    d.url = mapped.Text("url");
    if (mapped.failed()) {
      Reject(item.file, item.position, item.path, mapped.code(), mapped.reason());
      continue;
    }
    d.statuses = ConvertStatuses(refs);
    AddMappedStatus(mapped, &d);
    WarnAll(item, mapped);
    out_.batch.deployments.push_back(std::move(d));
  }
}

void GithubParser::EmitDetachedStatuses() {
  for (auto& [id, refs] : statuses_) {
    // One entry per (deployment, file), files in name order so the result is order-free.
    std::map<std::string, std::vector<StatusRef>> by_file;
    for (const StatusRef& ref : refs) {
      by_file[files_[ref.file].name].push_back(ref);
    }
    for (auto& [file, file_refs] : by_file) {
      std::vector<model::DeploymentStatus> statuses = ConvertStatuses(file_refs);
      if (statuses.empty()) {
        continue;
      }
      out_.detached_statuses.push_back(
          ParsedRecords::DetachedStatuses{file, id, std::move(statuses)});
    }
  }
}

void GithubParser::EmitReleases(const RecordMapper& mapper) {
  for (const auto& entry : releases_) {
    const Item& item = *entry.second.winner;
    if (IsDraft(item.value)) {
      ++out_.skipped;
      continue;
    }
    const RecordView view = ViewOf(item);
    MappedRecord mapped(mapper, view);
    model::Release r;
    r.source = std::string(model::kSourceGithub);
    r.service = mapped.Required("service");
    r.version = mapped.Required("version");
    r.tag = mapped.Text("tag");
    r.commit = mapped.Text("commit");
    r.name = mapped.Text("name");
    r.notes = mapped.Text("notes");
    r.team = mapped.Text("team");
    r.areas = mapped.Texts("areas");
    r.type = mapped.Word("type", &model::ParseReleaseType);
    r.prerelease = mapped.Bool("prerelease");
    r.hotfix = mapped.Bool("hotfix");
    r.hotfix_for = mapped.Text("hotfix_for");
    r.deployed_at = mapped.Time("deployed_at", /*required=*/false);
    r.created_at = mapped.Time("created_at", /*required=*/false);
    r.environment = mapped.Text("environment");
    r.url = mapped.Text("url");
    if (mapped.failed()) {
      Reject(item.file, item.position, item.path, mapped.code(), mapped.reason());
      continue;
    }
    WarnAll(item, mapped);
    out_.batch.releases.push_back(std::move(r));
  }
}

void GithubParser::EmitDefects(const RecordMapper& mapper) {
  for (const auto& entry : issues_) {
    const Item& item = *entry.second.winner;
    if (IsPullRequest(item.value)) {
      ++out_.skipped;
      continue;
    }
    const RecordView view = ViewOf(item);
    MappedRecord mapped(mapper, view);
    if (std::optional<bool> bug = ParseMappedBool(mapped.Text("is_bug")); bug && !*bug) {
      ++out_.skipped;
      continue;
    }
    model::Defect d;
    d.source = std::string(model::kSourceGithub);
    d.id = mapped.Required("id");
    d.number = mapped.Text("number");
    d.url = mapped.Text("url");
    d.title = mapped.Text("title");
    d.reporter = mapped.Word("reporter", &model::ParseReporterKind);
    d.severity = mapped.Word("severity", &model::ParseSeverity);
    d.service = mapped.Text("service");
    d.area = mapped.Text("area");
    d.team = mapped.Text("team");
    d.found_at = mapped.Time("found_at", /*required=*/true).value_or(core::Timestamp());
    d.resolved_at = mapped.Time("resolved_at", /*required=*/false);
    d.release = mapped.Text("release");
    d.incident = mapped.Text("incident");
    d.escape_phase = mapped.Word("escape_phase", &model::ParseEscapePhase);
    d.status = mapped.Text("status");
    if (!mapped.failed() && d.resolved_at && *d.resolved_at < d.found_at) {
      std::string reason = "resolved_at ";
      reason += core::FormatRfc3339(*d.resolved_at);
      reason += " is before found_at ";
      reason += core::FormatRfc3339(d.found_at);
      mapped.Fail("resolved_before_found", "resolved_at", reason);
    }
    if (mapped.failed()) {
      Reject(item.file, item.position, item.path, mapped.code(), mapped.reason());
      continue;
    }
    WarnAll(item, mapped);
    out_.batch.defects.push_back(std::move(d));
  }
}

Result<ParsedRecords> GithubParser::Run() {
  VIGIL_ASSIGN_OR_RETURN(
      const RecordMapper deployment_mapper,
      GithubMapper(model::RecordKind::kDeployment, options_.deployments.user_mappings));
  VIGIL_ASSIGN_OR_RETURN(
      const RecordMapper release_mapper,
      GithubMapper(model::RecordKind::kRelease, options_.releases.user_mappings));
  VIGIL_ASSIGN_OR_RETURN(const RecordMapper defect_mapper,
                         GithubMapper(model::RecordKind::kDefect, options_.defects.user_mappings));
  for (size_t i = 0; i < files_.size(); ++i) {
    LoadFile(i);
  }
  EmitReleases(release_mapper);
  EmitDeployments(deployment_mapper);
  EmitDetachedStatuses();
  EmitDefects(defect_mapper);
  std::stable_sort(issues_in_order_.begin(), issues_in_order_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& entry : issues_in_order_) {
    out_.issues.push_back(std::move(entry.second));
  }
  return std::move(out_);
}

}  // namespace

std::string_view GithubDefaultMappings(model::RecordKind kind) {
  switch (kind) {
    case model::RecordKind::kDeployment:
      return kDeploymentDefaults;
    case model::RecordKind::kRelease:
      return kReleaseDefaults;
    case model::RecordKind::kDefect:
      return kDefectDefaults;
    default:
      return {};
  }
}

bool LooksLikeGithubExport(std::string_view data) {
  const ParsedFile parsed = ParseFile(data);
  if (parsed.error != simdjson::SUCCESS) {
    return false;
  }
  const std::vector<Item> items = ItemsOfFile(parsed, 0);
  return !items.empty() && items.front().shape != Shape::kUnknown;
}

Result<ParsedRecords> ParseGithubExports(std::span<const RecordFile> files,
                                         const GithubOptions& options) {
  GithubParser parser(files, options);
  return parser.Run();
}

}  // namespace vigil::ingest
