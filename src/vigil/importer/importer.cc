#include "vigil/importer/importer.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <unordered_set>
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
constexpr size_t kMaxBufferedRollups = 4'096;
constexpr int kMaxAttempts = 5;
// When a scan hands its completed minutes on (to the writer, or to the pending list): every
// kHandOffLines lines, or sooner once kHandOffRollups are complete (sparse traffic completes
// many minutes per line), checked every kHandOffCheckLines lines. And the read buffer of each
// scanning thread (small enough to stay in the core's L2 cache).
constexpr int64_t kHandOffLines = 1 << 14;
constexpr int64_t kHandOffCheckLines = 1 << 8;
constexpr size_t kHandOffRollups = 128;
constexpr size_t kScanBufferBytes = size_t{256} << 10;
// The chunks a large file is cut into for the scanning threads: about eight per thread, within
// these bounds.
constexpr int64_t kMinChunkBytes = int64_t{4} << 10;
constexpr int64_t kMaxChunkBytes = int64_t{16} << 20;
// Completed rollups on their way from the scanning threads to the writer: when writing is the
// bottleneck (a sparse log writes a row per few requests) this, and the hand-offs the blocked
// scanners hold, is what a long import holds beyond the reorder horizon; small batches cost
// the writer nothing measurable (its transaction stays open across them).
constexpr size_t kMaxQueuedRollups = 128;

// Line outcomes of one scan (a whole file, or one thread's part of it). Line numbers in the
// reports count from the first line of the part; MergeInto shifts them.
struct LineTally {
  int64_t lines = 0, accepted = 0, warnings = 0, rejected = 0;
  std::map<std::string, int64_t> rejected_by_code, warnings_by_code;
  std::vector<LineReport> first_rejects, first_warnings;
};

// What one attempt at one file produced, merged into the summary only once it commits.
struct FileResult {
  FileSummary summary;
  LineTally tally;
  int64_t late = 0;
  int64_t routes_registered = 0, routes_overflowed = 0, requests_in_other = 0;
};

// Adds `part` (whose line numbers count from `line_offset` + 1) into `into`.
void MergeTally(LineTally&& part, int64_t line_offset, size_t max_listed, LineTally* into) {
  into->lines += part.lines;
  into->accepted += part.accepted;
  into->warnings += part.warnings;
  into->rejected += part.rejected;
  for (const auto& [code, n] : part.rejected_by_code) {
    into->rejected_by_code[code] += n;
  }
  for (const auto& [code, n] : part.warnings_by_code) {
    into->warnings_by_code[code] += n;
  }
  auto append = [&](std::vector<LineReport>& from, std::vector<LineReport>* to) {
    for (LineReport& r : from) {
      if (to->size() >= max_listed) {
        break;
      }
      r.line += line_offset;
      to->push_back(std::move(r));
    }
  };
  append(part.first_rejects, &into->first_rejects);
  append(part.first_warnings, &into->first_warnings);
}

// Parses lines and feeds the requests to a builder, counting outcomes into a tally. One per
// scanning thread.
class LineWorker {
 public:
  LineWorker(const ImportOptions& options, const std::string& path, ingest::RequestParser* parser,
             ingest::RollupBuilder* builder, LineTally* tally)
      : options_(options), path_(path), parser_(parser), builder_(builder), tally_(tally) {}

  // One line without its '\n' (truncated when too_long); `line_no` counts from the part's
  // start. Returns false when the line was rejected.
  bool Line(std::string_view text, bool too_long, int64_t line_no) {
    ++tally_->lines;
    issue_.code = {};
    issue_.reason.clear();
    ingest::RequestParser::Outcome outcome;
    if (too_long) {
      outcome = ingest::RequestParser::Outcome::kReject;
      issue_.code = "line_too_long";
      issue_.reason = "line longer than " + std::to_string(LineReader::kMaxLineBytes) + " bytes";
    } else {
      outcome = parser_->Parse(text, &request_, &issue_);
    }
    switch (outcome) {
      case ingest::RequestParser::Outcome::kSkip:
        return true;
      case ingest::RequestParser::Outcome::kReject:
        ++tally_->rejected;
        Report(line_no, &tally_->first_rejects, &tally_->rejected_by_code);
        return false;
      case ingest::RequestParser::Outcome::kRequest:
        break;
    }
    ++tally_->accepted;
    if (!issue_.code.empty()) {
      ++tally_->warnings;
      Report(line_no, &tally_->first_warnings, &tally_->warnings_by_code);
    }
    if (!options_.service.empty()) {
      request_.service = options_.service;
    }
    builder_->Add(request_);
    return true;
  }

 private:
  void Report(int64_t line_no, std::vector<LineReport>* list,
              std::map<std::string, int64_t>* counts) {
    ++(*counts)[std::string(issue_.code)];
    if (list->size() < options_.max_listed_issues) {
      list->push_back(LineReport{path_, line_no, std::string(issue_.code), issue_.reason});
    }
  }

  const ImportOptions& options_;
  const std::string& path_;
  ingest::RequestParser* parser_;
  ingest::RollupBuilder* builder_;
  LineTally* tally_;
  ingest::Request request_;
  ingest::LineIssue issue_;
};

// Completed rollups on their way from the scanning threads to the writer (this thread). Push
// blocks while the queue holds more than its bound, so memory stays set by the series.
class RollupQueue {
 public:
  explicit RollupQueue(size_t bound) : bound_(bound) {}

  // False when the writer gave up (the rollups are dropped).
  bool Push(std::vector<model::Rollup>&& rollups) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return closed_ || held_ < bound_; });
    if (closed_) {
      return false;
    }
    held_ += rollups.size();
    std::move(rollups.begin(), rollups.end(), std::back_inserter(items_));
    ready_.notify_one();
    return true;
  }
  // Waits for rollups or for every producer to finish; false when nothing is left.
  bool Pop(std::vector<model::Rollup>* out) {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return !items_.empty() || producers_ == 0; });
    if (items_.empty()) {
      return false;
    }
    out->swap(items_);
    items_.clear();
    held_ = 0;
    room_.notify_all();
    return true;
  }
  void AddProducer() {
    std::lock_guard lock(mu_);
    ++producers_;
  }
  void ProducerDone() {
    std::lock_guard lock(mu_);
    --producers_;
    ready_.notify_one();
  }
  // The writer failed: producers stop pushing.
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    room_.notify_all();
  }
  bool closed() {
    std::lock_guard lock(mu_);
    return closed_;
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::vector<model::Rollup> items_;
  size_t held_ = 0;
  size_t bound_;
  int producers_ = 0;
  bool closed_ = false;
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
  // Merges rollups into the store (opening the transaction first if needed).
  Status WriteRollups(std::vector<model::Rollup>* rollups);
  Status RegisterRoutes(const std::vector<std::pair<std::string, std::string>>& new_routes,
                        std::vector<model::Rollup>* rollups, FileResult* result);
  // What scanning a file produced besides the rollups already written.
  struct ScanOutput {
    LineTally tally;  // line numbers from the scan's first line
    int64_t end = 0;  // decompressed offset after the last complete line
    bool unterminated_tail = false;
    int64_t late = 0, over_cap = 0;
    std::vector<model::Rollup> rest;  // not written yet
    std::vector<std::pair<std::string, std::string>> new_routes;
  };
  // One thread reads the file as a stream (compressed files, small files).
  Status ScanStream(InputFile* file, std::unique_ptr<ingest::RequestParser> parser,
                    const model::RouteSnapshot& routes, ScanOutput* out);
  // A large plain file: split at line boundaries, one scanning thread per core, this thread
  // writing what they complete.
  Status ScanParallel(const InputFile& file, std::string_view prefix, int64_t start,
                      std::unique_ptr<ingest::RequestParser> first_parser,
                      const model::RouteSnapshot& routes, ScanOutput* out);
  // Moves a finished builder's stats, remaining rollups and new routes into `out`.
  void Finish(ingest::RollupBuilder* builder, ScanOutput* out);
  // Under --strict, whether a rejection (here or in an earlier file) already dooms the import.
  bool Failing(int64_t rejected_here) const;
  // Scanning threads for a large plain file: --threads, else one per core (at most 8).
  int ScanThreads() const {
    if (options_.threads > 0) {
      return options_.threads;
    }
    return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  }
  ingest::BuilderOptions BuilderOpts() const {
    ingest::BuilderOptions o;
    o.sketch_relative_accuracy = env_.store->info().sketch_relative_accuracy;
    o.fold_sketches_before = fold_before_;
    return o;
  }
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
  std::unordered_set<model::SeriesKey, model::SeriesKeyHash> written_series_;
  ImportSummary summary_;
  // Minute buckets before this are past the downsampling age (DESIGN §3): the builders put
  // their requests' latencies straight into hour sketches.
  core::Timestamp fold_before_;
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
    if (r.series.kind == model::SeriesKind::kRoute && !written_series_.contains(r.series)) {
      written_series_.insert(r.series);
    }
  }
  rollups->clear();
  return OkStatus();
}

Status Import::RegisterRoutes(const std::vector<std::pair<std::string, std::string>>& new_routes,
                              std::vector<model::Rollup>* rollups, FileResult* result) {
  // Group the builders' new routes by service (in order of first appearance, once each),
  // register them under the cap, and re-key what the registry refused (another writer or
  // another scanning thread may have filled the cap meanwhile) to "other".
  std::map<std::string, std::vector<std::string>> by_service;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& entry : new_routes) {
    if (seen.insert(entry).second) {
      by_service[entry.first].push_back(entry.second);
    }
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
  // A large plain file is scanned in parallel from `start`; anything else streams, skipping to
  // `start` first.
  const bool parallel = !file->compressed() &&
                        file->compressed_size() - start >= options_.parallel_min_bytes &&
                        ScanThreads() > 1;
  if (start > 0 && !parallel) {
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
  if (!parallel) {
    file->StartReadAhead();  // gzip: inflating overlaps parsing
  }

  // The parser: the format is decided from the file's first lines.
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<ingest::RequestParser> parser,
                         MakeParser(options_, file->path(), prefix, env_.notice));
  fs.format = parser->Describe();
  VIGIL_ASSIGN_OR_RETURN(model::RouteSnapshot routes, env_.store->LoadRoutes());

  ScanOutput out;
  if (parallel) {
    VIGIL_RETURN_IF_ERROR(ScanParallel(*file, prefix, start, std::move(parser), routes, &out));
  } else {
    VIGIL_RETURN_IF_ERROR(ScanStream(file, std::move(parser), routes, &out));
  }
  MergeTally(std::move(out.tally), start_line, options_.max_listed_issues, &result->tally);
  fs.lines = result->tally.lines;
  fs.accepted = result->tally.accepted;
  fs.warnings = result->tally.warnings;
  fs.rejected = result->tally.rejected;
  fs.end_position = out.end;
  fs.unterminated_tail = out.unterminated_tail;
  result->late = out.late;
  result->requests_in_other += out.over_cap;

  if (options_.strict && summary_.rejected + fs.rejected > 0) {
    return OkStatus();  // nothing more to write: the invocation rolls back
  }
  VIGIL_RETURN_IF_ERROR(RegisterRoutes(out.new_routes, &out.rest, result));
  VIGIL_RETURN_IF_ERROR(WriteRollups(&out.rest));

  VIGIL_RETURN_IF_ERROR(EnsureTransaction());
  store::FilePositionUpdate update;
  if (stored) {
    update.file_id = stored->id;
    update.expected_position = stored->position;
  }
  update.prefix_len = static_cast<int64_t>(prefix.size());
  update.prefix_hash = Sha256Hex(prefix);
  update.new_position = out.end;
  update.new_line_count = start_line + result->tally.lines;
  update.path = file->path();
  return tx_->SaveFilePosition(update);
}

bool Import::Failing(int64_t rejected_here) const {
  return options_.strict && summary_.rejected + rejected_here > 0;
}

void Import::Finish(ingest::RollupBuilder* builder, ScanOutput* out) {
  out->late += builder->stats().late;
  out->over_cap += builder->stats().over_cap;
  std::vector<model::Rollup> rest = builder->TakeAll();
  std::move(rest.begin(), rest.end(), std::back_inserter(out->rest));
  out->new_routes.insert(out->new_routes.end(), builder->new_routes().begin(),
                         builder->new_routes().end());
}

Status Import::ScanStream(InputFile* file, std::unique_ptr<ingest::RequestParser> parser,
                          const model::RouteSnapshot& routes, ScanOutput* out) {
  ingest::RollupBuilder builder(*env_.config, routes, BuilderOpts());
  LineWorker worker(options_, file->path(), parser.get(), &builder, &out->tally);
  std::vector<model::Rollup> pending;
  LineReader reader(file);
  LineReader::Line line;
  int64_t line_no = 0;
  out->end = file->offset();
  while (reader.Next(&line)) {
    ++line_no;
    out->end = line.end_offset;
    worker.Line(line.text, line.too_long, line_no);
    if (line_no % kHandOffCheckLines == 0 &&
        (line_no % kHandOffLines == 0 || builder.completed_count() >= kHandOffRollups)) {
      std::vector<model::Rollup> done = builder.TakeCompleted();
      if (Failing(out->tally.rejected)) {
        continue;  // nothing will be written: the invocation rolls back
      }
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
  out->unterminated_tail = reader.pending_bytes() > 0;
  out->rest = std::move(pending);
  Finish(&builder, out);
  return OkStatus();
}

Status Import::ScanParallel(const InputFile& file, std::string_view prefix, int64_t start,
                            std::unique_ptr<ingest::RequestParser> first_parser,
                            const model::RouteSnapshot& routes, ScanOutput* out) {
  // Only complete lines are read: the range ends after the last '\n'.
  const int64_t size = file.compressed_size();
  const int64_t begin = std::min(start, size);
  out->end = begin;
  out->unterminated_tail = begin < size;
  VIGIL_ASSIGN_OR_RETURN(const int64_t last_nl, file.FindLastNewline(begin, size));
  if (last_nl < 0) {
    return OkStatus();
  }
  const int64_t end = last_nl + 1;
  out->end = end;
  out->unterminated_tail = end < size;

  // The range is cut into chunks at line starts; each scanning thread takes the next chunk
  // still unread (so threads finish together whatever each chunk costs), and reads it through
  // its own descriptor into a reused buffer: mapping the file costs a page fault every few
  // pages, which on virtual machines is most of the scan.
  const int64_t threads = ScanThreads();
  const int64_t chunk_bytes =
      std::clamp<int64_t>((end - begin) / (threads * 8), kMinChunkBytes, kMaxChunkBytes);
  std::vector<int64_t> cuts{begin};
  for (int64_t at = begin + chunk_bytes; at < end; at += chunk_bytes) {
    if (at <= cuts.back()) {
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(const int64_t nl, file.FindNewline(at - 1, end));
    if (nl < 0 || nl + 1 >= end) {
      break;
    }
    if (nl + 1 > cuts.back()) {
      cuts.push_back(nl + 1);
    }
  }
  cuts.push_back(end);
  const size_t chunks = cuts.size() - 1;
  struct Chunk {
    LineTally tally;  // line numbers from the chunk's first line
    Status status;
  };
  std::vector<Chunk> chunk_results(chunks);
  struct Scanner {
    std::unique_ptr<InputFile> input;
    std::unique_ptr<ingest::RequestParser> parser;
    std::unique_ptr<ingest::RollupBuilder> builder;
  };
  std::vector<Scanner> scanners(
      static_cast<size_t>(std::min<int64_t>(threads, std::ssize(cuts) - 1)));
  for (size_t i = 0; i < scanners.size(); ++i) {
    Scanner& s = scanners[i];
    VIGIL_ASSIGN_OR_RETURN(s.input, file.Duplicate());
    if (i == 0) {
      s.parser = std::move(first_parser);
    } else {
      VIGIL_ASSIGN_OR_RETURN(s.parser, MakeParser(options_, file.path(), prefix, {}));
    }
    s.builder = std::make_unique<ingest::RollupBuilder>(*env_.config, routes, BuilderOpts());
  }

  RollupQueue queue(kMaxQueuedRollups);
  std::atomic<int64_t> rejected{0};
  std::atomic<int64_t> scanned{0};
  std::atomic<size_t> next_chunk{0};
  auto scan = [&](Scanner& s) {
    int64_t since_hand_off = 0;
    bool stop = false;
    for (size_t c = next_chunk.fetch_add(1); c < chunks && !stop; c = next_chunk.fetch_add(1)) {
      Chunk& chunk = chunk_results[c];
      chunk.status = s.input->Restrict(cuts[c], cuts[c + 1]);
      if (!chunk.status.ok()) {
        queue.Close();
        break;
      }
      LineWorker worker(options_, file.path(), s.parser.get(), s.builder.get(), &chunk.tally);
      LineReader reader(s.input.get(), kScanBufferBytes);
      LineReader::Line line;
      int64_t line_no = 0;
      int64_t reached = cuts[c];  // the offset after the last line read
      while (reader.Next(&line)) {
        ++line_no;
        reached = line.end_offset;
        if (!worker.Line(line.text, line.too_long, line_no)) {
          rejected.fetch_add(1, std::memory_order_relaxed);
        }
        if (++since_hand_off % kHandOffCheckLines == 0 &&
            (since_hand_off >= kHandOffLines || s.builder->completed_count() >= kHandOffRollups)) {
          since_hand_off = 0;
          std::vector<model::Rollup> done = s.builder->TakeCompleted();
          // Under --strict after a rejection nothing will be written: the rollups are dropped.
          if (!done.empty() && !Failing(rejected.load(std::memory_order_relaxed)) &&
              !queue.Push(std::move(done))) {
            stop = true;  // the writer failed
            break;
          }
        }
      }
      chunk.status = reader.status();
      if (chunk.status.ok() && !stop && (reader.pending_bytes() > 0 || reached != cuts[c + 1])) {
        // Truncated or rewritten in place since the chunks were cut: its lines are not where
        // they were, and a partial import would be wrong.
        chunk.status =
            DataLossError(file.path() + ": changed while it was read (the line at byte " +
                          std::to_string(reached) + " no longer ends where it did)");
      }
      if (!chunk.status.ok()) {
        queue.Close();
        break;
      }
      scanned.fetch_add(cuts[c + 1] - cuts[c], std::memory_order_relaxed);
    }
    queue.ProducerDone();
  };
  std::vector<std::thread> workers;
  for (size_t i = 0; i < scanners.size(); ++i) {
    queue.AddProducer();
  }
  for (Scanner& s : scanners) {
    workers.emplace_back(scan, std::ref(s));
  }
  // This thread writes what the scanners complete.
  Status st;
  std::vector<model::Rollup> batch;
  while (queue.Pop(&batch)) {
    if (st.ok() && !Failing(rejected.load(std::memory_order_relaxed))) {
      st = WriteRollups(&batch);
      if (!st.ok()) {
        queue.Close();
      }
    }
    batch.clear();
    if (env_.progress) {
      env_.progress(done_disk_bytes_ + start + scanned.load(std::memory_order_relaxed),
                    total_disk_bytes_);
    }
  }
  for (std::thread& t : workers) {
    t.join();
  }
  VIGIL_RETURN_IF_ERROR(st);
  for (const Chunk& chunk : chunk_results) {
    VIGIL_RETURN_IF_ERROR(chunk.status);
  }
  int64_t line_offset = 0;
  for (Chunk& chunk : chunk_results) {
    const int64_t lines = chunk.tally.lines;
    MergeTally(std::move(chunk.tally), line_offset, options_.max_listed_issues, &out->tally);
    line_offset += lines;
  }
  for (Scanner& s : scanners) {
    Finish(s.builder.get(), out);
  }
  return OkStatus();
}

void Import::Merge(FileResult&& r) {
  summary_.lines += r.tally.lines;
  summary_.accepted += r.tally.accepted;
  summary_.warnings += r.tally.warnings;
  summary_.rejected += r.tally.rejected;
  summary_.late += r.late;
  summary_.routes_registered += r.routes_registered;
  summary_.routes_overflowed += r.routes_overflowed;
  summary_.requests_in_other += r.requests_in_other;
  for (const auto& [code, n] : r.tally.rejected_by_code) {
    summary_.rejected_by_code[code] += n;
  }
  for (const auto& [code, n] : r.tally.warnings_by_code) {
    summary_.warnings_by_code[code] += n;
  }
  for (LineReport& l : r.tally.first_rejects) {
    if (summary_.first_rejects.size() < options_.max_listed_issues) {
      summary_.first_rejects.push_back(std::move(l));
    }
  }
  for (LineReport& l : r.tally.first_warnings) {
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
  fold_before_ = (env_.clock->Now() - env_.config->store.sketch_downsample_after)
                     .FloorTo(core::Duration::Hours(1));
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
