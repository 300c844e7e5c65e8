#include "vigil/importer/importer.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <utility>

#include "vigil/importer/identity.h"
#include "vigil/importer/input_file.h"
#include "vigil/importer/parsers.h"
#include "vigil/ingest/request_parser.h"
#include "vigil/ingest/rollup_builder.h"

namespace vigil::importer {
namespace {

constexpr size_t kIdentityBytes = 64 * 1024;
// Completed rollups held in memory before the transaction is opened and they are written:
// small imports hold the store's write lock only for their commit.
constexpr size_t kMaxBufferedRollups = 100'000;
constexpr int kMaxAttempts = 5;

// What one attempt at one file produced, merged into the summary only once it commits.
struct FileResult {
  FileSummary summary;
  std::map<std::string, int64_t> rejected_by_code, warnings_by_code;
  std::vector<LineReport> rejects, warnings;
  int64_t late = 0;
  int64_t routes_registered = 0, routes_overflowed = 0, requests_in_other = 0;
};

class Import {
 public:
  Import(const ImportEnv& env, const ImportOptions& options) : env_(env), options_(options) {}

  Result<ImportSummary> Run();

 private:
  // Identity of a file from its first bytes: the stored file it continues, if any.
  Result<std::optional<store::StoredFile>> Identify(std::string_view prefix);
  // One pass over one file from its stored position; kFailedPrecondition when another import
  // moved the position meanwhile (the caller retries).
  Status ReadFile(InputFile* file, std::string_view prefix,
                  const std::optional<store::StoredFile>& stored, FileResult* result);
  Status ProcessFile(const std::string& path);
  Status EnsureTransaction();
  // Downsamples old minute sketches and applies the retention, in its own transaction.
  Status Maintain();
  Status WriteRollups(std::vector<model::Rollup>* rollups);
  Status RegisterRoutes(const ingest::RollupBuilder& builder, std::vector<model::Rollup>* rollups,
                        FileResult* result);
  void Merge(FileResult&& r);
  void Note(const std::string& msg) const {
    if (env_.notice) {
      env_.notice(msg);
    }
  }

  const ImportEnv& env_;
  const ImportOptions& options_;
  std::string holder_ = RandomHolder();
  int node_ = 0;
  std::unique_ptr<store::Transaction> tx_;
  // Series this transaction wrote before their routes were registered (re-keyed if refused).
  std::set<model::SeriesKey> written_series_;
  ImportSummary summary_;
  int64_t total_disk_bytes_ = 0;
  int64_t done_disk_bytes_ = 0;
};

Result<std::optional<store::StoredFile>> Import::Identify(std::string_view prefix) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<int64_t> lengths, env_.store->FilePrefixLengths());
  for (int64_t len : lengths) {  // longest first: the longest match wins
    if (len <= 0 || static_cast<size_t>(len) > prefix.size()) {
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(
        std::optional<store::StoredFile> found,
        env_.store->FindFile(len, Sha256Hex(prefix.substr(0, static_cast<size_t>(len)))));
    if (found) {
      return found;
    }
  }
  return std::optional<store::StoredFile>();
}

Status Import::EnsureTransaction() {
  if (tx_ == nullptr) {
    VIGIL_ASSIGN_OR_RETURN(tx_, env_.store->Begin(node_, holder_, env_.clock->Now(), kLeaseTtl));
    written_series_.clear();
  }
  return OkStatus();
}

Status Import::WriteRollups(std::vector<model::Rollup>* rollups) {
  if (rollups->empty()) {
    return OkStatus();
  }
  VIGIL_RETURN_IF_ERROR(EnsureTransaction());
  VIGIL_RETURN_IF_ERROR(tx_->MergeRollups(*rollups));
  for (const model::Rollup& r : *rollups) {
    if (r.series.kind == model::SeriesKind::kRoute) {
      written_series_.insert(r.series);
    }
  }
  rollups->clear();
  return OkStatus();
}

Status Import::RegisterRoutes(const ingest::RollupBuilder& builder,
                              std::vector<model::Rollup>* rollups, FileResult* result) {
  // Group the builder's new routes by service, register them under the cap, and re-key what
  // the registry refused (another writer may have filled the cap meanwhile) to "other".
  std::map<std::string, std::vector<std::string>> by_service;
  for (const auto& [service, route] : builder.new_routes()) {
    by_service[service].push_back(route);
  }
  if (by_service.empty()) {
    return OkStatus();
  }
  VIGIL_RETURN_IF_ERROR(EnsureTransaction());
  for (const auto& [service, routes] : by_service) {
    VIGIL_ASSIGN_OR_RETURN(
        store::RouteRegistration reg,
        tx_->RegisterRoutes(service, routes, env_.config->ingest.route_cap, env_.clock->Now()));
    result->routes_registered += static_cast<int64_t>(reg.registered.size());
    result->routes_overflowed += static_cast<int64_t>(reg.overflowed.size());
    if (reg.overflowed.empty()) {
      continue;
    }
    std::set<std::string> refused(reg.overflowed.begin(), reg.overflowed.end());
    for (model::Rollup& r : *rollups) {
      if (r.series.service == service && r.series.kind == model::SeriesKind::kRoute &&
          refused.contains(r.series.name)) {
        result->requests_in_other += r.count;
        r.series.name = std::string(model::kOtherRoute);
      }
    }
    for (const model::SeriesKey& key :
         std::vector<model::SeriesKey>(written_series_.begin(), written_series_.end())) {
      if (key.service == service && refused.contains(key.name)) {
        model::SeriesKey other = key;
        other.name = std::string(model::kOtherRoute);
        VIGIL_RETURN_IF_ERROR(tx_->RekeySeries(key, other));
      }
    }
  }
  return OkStatus();
}

Status Import::ReadFile(InputFile* file, std::string_view prefix,
                        const std::optional<store::StoredFile>& stored, FileResult* result) {
  FileSummary& fs = result->summary;
  int64_t start = 0;
  int64_t start_line = 0;
  if (stored && !options_.force) {
    start = stored->position;
    start_line = stored->line_count;
  }
  if (stored && options_.force) {
    fs.note = "read again from the start (--force): its lines count again";
  }
  VIGIL_RETURN_IF_ERROR(file->Rewind());
  // Skip to the stored position; a file shorter than it is a new file, read from the start.
  if (start > 0) {
    std::vector<char> scratch(1 << 20);
    int64_t skipped = 0;
    while (skipped < start) {
      VIGIL_ASSIGN_OR_RETURN(
          size_t got, file->Read(scratch.data(),
                                 static_cast<size_t>(std::min<int64_t>(start - skipped, 1 << 20))));
      if (got == 0) {
        break;
      }
      skipped += static_cast<int64_t>(got);
    }
    if (skipped < start) {
      fs.note = "shorter than its stored position: read as a new file";
      start = 0;
      start_line = 0;
      VIGIL_RETURN_IF_ERROR(file->Rewind());
    }
  }
  fs.start_position = start;

  // The parser: the format is decided from the file's first lines.
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<ingest::RequestParser> parser,
                         MakeParser(options_, file->path(), prefix, env_.notice));
  fs.format = parser->Describe();

  VIGIL_ASSIGN_OR_RETURN(model::RouteSnapshot routes, env_.store->LoadRoutes());
  ingest::BuilderOptions bopts;
  bopts.sketch_relative_accuracy = env_.store->info().sketch_relative_accuracy;
  ingest::RollupBuilder builder(*env_.config, routes, bopts);

  const bool strict = options_.strict;
  std::vector<model::Rollup> pending;
  LineReader reader(file);
  LineReader::Line line;
  ingest::Request request;
  ingest::LineIssue issue;
  int64_t end = start;
  int64_t line_no = start_line;
  auto report = [&](std::vector<LineReport>* list, std::map<std::string, int64_t>* counts) {
    ++(*counts)[std::string(issue.code)];
    if (list->size() < options_.max_listed_issues) {
      list->push_back(LineReport{file->path(), line_no, std::string(issue.code), issue.reason});
    }
  };
  while (reader.Next(&line)) {
    ++line_no;
    ++fs.lines;
    end = line.end_offset;
    issue.code = {};
    issue.reason.clear();
    ingest::RequestParser::Outcome outcome;
    if (line.too_long) {
      outcome = ingest::RequestParser::Outcome::kReject;
      issue.code = "line_too_long";
      issue.reason = "line longer than " + std::to_string(LineReader::kMaxLineBytes) + " bytes";
    } else {
      outcome = parser->Parse(line.text, &request, &issue);
    }
    switch (outcome) {
      case ingest::RequestParser::Outcome::kSkip:
        continue;
      case ingest::RequestParser::Outcome::kReject:
        ++fs.rejected;
        report(&result->rejects, &result->rejected_by_code);
        continue;
      case ingest::RequestParser::Outcome::kRequest:
        break;
    }
    ++fs.accepted;
    if (!issue.code.empty()) {
      ++fs.warnings;
      report(&result->warnings, &result->warnings_by_code);
    }
    if (!options_.service.empty()) {
      request.service = options_.service;
    }
    builder.Add(request);
    if (strict && summary_.rejected + fs.rejected > 0) {
      continue;  // the import will fail: keep counting, stop writing
    }
    if ((line_no & 0xFFFF) == 0) {
      std::vector<model::Rollup> done = builder.TakeCompleted();
      std::move(done.begin(), done.end(), std::back_inserter(pending));
      if (pending.size() > kMaxBufferedRollups) {
        VIGIL_RETURN_IF_ERROR(WriteRollups(&pending));
      }
      if (env_.progress) {
        env_.progress(done_disk_bytes_ + file->disk_offset(), total_disk_bytes_);
      }
    }
  }
  VIGIL_RETURN_IF_ERROR(reader.status());
  fs.end_position = end;
  fs.unterminated_tail = reader.pending_bytes() > 0;
  result->late = builder.stats().late;
  result->requests_in_other += builder.stats().over_cap;

  if (strict && summary_.rejected + fs.rejected > 0) {
    return OkStatus();  // nothing more to write: the invocation rolls back
  }
  std::vector<model::Rollup> rest = builder.TakeAll();
  std::move(rest.begin(), rest.end(), std::back_inserter(pending));
  VIGIL_RETURN_IF_ERROR(RegisterRoutes(builder, &pending, result));
  VIGIL_RETURN_IF_ERROR(WriteRollups(&pending));

  VIGIL_RETURN_IF_ERROR(EnsureTransaction());
  store::FilePositionUpdate update;
  if (stored) {
    update.file_id = stored->id;
    update.expected_position = stored->position;
  }
  update.prefix_len = static_cast<int64_t>(prefix.size());
  update.prefix_hash = Sha256Hex(prefix);
  update.new_position = end;
  update.new_line_count = line_no;
  update.path = file->path();
  return tx_->SaveFilePosition(update);
}

void Import::Merge(FileResult&& r) {
  summary_.lines += r.summary.lines;
  summary_.accepted += r.summary.accepted;
  summary_.warnings += r.summary.warnings;
  summary_.rejected += r.summary.rejected;
  summary_.late += r.late;
  summary_.routes_registered += r.routes_registered;
  summary_.routes_overflowed += r.routes_overflowed;
  summary_.requests_in_other += r.requests_in_other;
  for (const auto& [code, n] : r.rejected_by_code) {
    summary_.rejected_by_code[code] += n;
  }
  for (const auto& [code, n] : r.warnings_by_code) {
    summary_.warnings_by_code[code] += n;
  }
  for (LineReport& l : r.rejects) {
    if (summary_.first_rejects.size() < options_.max_listed_issues) {
      summary_.first_rejects.push_back(std::move(l));
    }
  }
  for (LineReport& l : r.warnings) {
    if (summary_.first_warnings.size() < options_.max_listed_issues) {
      summary_.first_warnings.push_back(std::move(l));
    }
  }
  summary_.files.push_back(std::move(r.summary));
}

Status Import::ProcessFile(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, InputFile::Open(path));
  std::string prefix;
  VIGIL_RETURN_IF_ERROR(file->ReadPrefix(kIdentityBytes, &prefix));
  if (prefix.empty()) {
    FileResult empty;
    empty.summary.path = path;
    empty.summary.compressed = file->compressed();
    empty.summary.note = "empty: nothing to read yet";
    Merge(std::move(empty));
    done_disk_bytes_ += file->compressed_size();
    return OkStatus();
  }
  for (int attempt = 1;; ++attempt) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<store::StoredFile> stored, Identify(prefix));
    FileResult result;
    result.summary.path = path;
    result.summary.compressed = file->compressed();
    Status st = ReadFile(file.get(), prefix, stored, &result);
    if (st.ok() && !options_.strict) {
      st = tx_->Commit();
      if (st.ok()) {
        tx_.reset();
      }
    }
    if (st.ok()) {
      Merge(std::move(result));
      done_disk_bytes_ += file->compressed_size();
      return OkStatus();
    }
    tx_.reset();  // roll back this file
    if (st.code() != StatusCode::kFailedPrecondition || options_.strict ||
        attempt == kMaxAttempts) {
      return st;
    }
    Note(path + ": another import moved its position meanwhile; reading again from there");
  }
}

Status Import::Maintain() {
  const core::Timestamp now = env_.clock->Now();
  const config::StoreSettings& settings = env_.config->store;
  VIGIL_RETURN_IF_ERROR(EnsureTransaction());
  VIGIL_ASSIGN_OR_RETURN(
      summary_.sketches_downsampled,
      tx_->DownsampleSketches(
          (now - settings.sketch_downsample_after).FloorTo(core::Duration::Hours(1))));
  VIGIL_ASSIGN_OR_RETURN(summary_.rows_expired, tx_->DeleteRollupsBefore(now - settings.retention));
  Status st = tx_->Commit();
  tx_.reset();
  return st;
}

Result<ImportSummary> Import::Run() {
  if (options_.paths.empty()) {
    return InvalidArgumentError("no input files");
  }
  for (const std::string& p : options_.paths) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> f, InputFile::Open(p));
    total_disk_bytes_ += f->compressed_size();
  }
  VIGIL_ASSIGN_OR_RETURN(node_, env_.store->LeaseNode(holder_, env_.clock->Now(), kLeaseTtl));
  summary_.node = node_;
  Status st;
  for (const std::string& p : options_.paths) {
    st = ProcessFile(p);
    if (!st.ok()) {
      break;
    }
  }
  if (st.ok() && options_.strict) {
    if (summary_.rejected > 0) {
      tx_.reset();
      summary_.failure = "--strict: " + std::to_string(summary_.rejected) +
                         " rejected line(s); nothing was stored";
    } else if (tx_ != nullptr) {
      st = tx_->Commit();
      tx_.reset();
    }
  }
  tx_.reset();
  if (st.ok() && summary_.failure.empty()) {
    st = Maintain();
  }
  (void)env_.store->ReleaseNode(node_, holder_);
  VIGIL_RETURN_IF_ERROR(st);
  summary_.committed = summary_.failure.empty();
  if (env_.progress) {
    env_.progress(total_disk_bytes_, total_disk_bytes_);
  }
  return summary_;
}

}  // namespace

Result<ImportSummary> RunImport(const ImportEnv& env, const ImportOptions& options) {
  VIGIL_CHECK(env.store != nullptr && env.config != nullptr && env.clock != nullptr,
              "ImportEnv needs a store, a config and a clock");
  Import import(env, options);
  return import.Run();
}

}  // namespace vigil::importer
