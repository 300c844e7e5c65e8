#include "vigil/importer/importer.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>
#include <span>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <unordered_set>
#include <utility>

#include <sys/resource.h>
#include <sys/syscall.h>

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
// Streamed files (compressed or small) read at once, in one transaction: at most this many,
// and this many bytes on disk, so that a failure costs little to read again one file at a time
// and the store's write lock is held for a bounded time.
constexpr size_t kMaxGroupFiles = 16;
constexpr int64_t kMaxGroupBytes = int64_t{256} << 20;

// Called first on a scanning thread: lowers its priority (nice +10 on Linux) below the writing
// thread's. The writer is the one serial stage of an import; when the scanners outnumber the
// free cores they would otherwise take the core it needs, and everything waits for it (on 2
// cores this made a 64-file import 18% slower than one scanning thread). Scanners blocked on a
// full queue cost nothing; the priority only decides who runs when both can.
void YieldToTheWriter() {
#ifdef __linux__
  constexpr int kScannerNice = 10;
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0) {
    (void)::setpriority(PRIO_PROCESS, tid, std::min(nice + kScannerNice, 19));
  }
#endif
}

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

// What scanning a file produced besides the rollups already handed on.
struct ScanOutput {
  LineTally tally;  // line numbers from the scan's first line
  int64_t end = 0;  // decompressed offset after the last complete line
  bool unterminated_tail = false;
  int64_t late = 0, over_cap = 0;
  std::vector<std::pair<std::string, std::string>> new_routes;
};

// One input file, and what one attempt at it produced. The scanning thread owns `out`, the
// start (it may find the file shorter than its stored position) and `progressed` while it
// runs; everything else belongs to the importing thread.
struct FileTask {
  std::string path;
  std::unique_ptr<InputFile> file;
  std::string prefix;      // its first bytes, which identify it; empty: nothing to read yet
  bool announced = false;  // its format notice was given (a second attempt stays quiet)
  std::optional<store::StoredFile> stored;  // the stored file it continues
  int64_t start = 0, start_line = 0;        // where this attempt reads from
  bool chunks = false;  // a large plain file read alone, cut into chunks for the threads
  std::unique_ptr<ingest::RequestParser> parser;
  FileResult result;
  ScanOutput out;
  std::atomic<int64_t> progressed{0};  // bytes on disk read so far
};

// Whether two files may not be read in one transaction: one could be identified as the other
// once the other's position is stored (a file given twice, a log and its compressed copy).
bool SameIdentity(const FileTask& a, const FileTask& b) {
  const size_t n = std::min(a.prefix.size(), b.prefix.size());
  return std::string_view(a.prefix).substr(0, n) == std::string_view(b.prefix).substr(0, n);
}

class Import {
 public:
  Import(const ImportEnv& env, const ImportOptions& options) : env_(env), options_(options) {}

  Result<ImportSummary> Run();

 private:
  using Tasks = std::span<FileTask* const>;

  Result<std::unique_ptr<FileTask>> OpenTask(const std::string& path);
  // Identity of a file from its first bytes: the stored file it continues, if any.
  Result<std::optional<store::StoredFile>> Identify(std::string_view prefix);
  // Files read at once, in one transaction (DESIGN §6): on any failure the group is rolled
  // back and its files are read again one at a time, each in its own transaction.
  Status ProcessGroup(Tasks tasks);
  // One file in its own transaction, tried again when another import moved its position.
  Status ProcessOne(FileTask* task);
  // One pass over `tasks` (each from its stored position), leaving the transaction open;
  // kFailedPrecondition when another import moved a position meanwhile.
  Status Attempt(Tasks tasks);
  // Attempt, then (unless --strict) commit; on success the files' results join the summary,
  // on failure the transaction is rolled back.
  Status AttemptAndCommit(Tasks tasks);
  // The identity, start and parser of one file, on this thread.
  Status PrepareFile(FileTask* task, bool alone);
  Status EnsureTransaction();
  // Downsamples old minute sketches and applies the retention, in its own transaction.
  Status Maintain();
  // Merges rollups into the store (opening the transaction first if needed).
  Status WriteRollups(std::vector<model::Rollup>* rollups);
  Status RegisterRoutes(const std::vector<std::pair<std::string, std::string>>& new_routes,
                        std::vector<model::Rollup>* rollups, FileResult* result);
  // Streams (compressed files, small files), each read by one thread, several at once; this
  // thread writes what they complete. What is left unwritten goes to `rest`.
  Status ScanStreams(Tasks tasks, const model::RouteSnapshot& routes,
                     std::vector<model::Rollup>* rest);
  // Rewinds a stream and reads up to its start (a file shorter than that is read as new).
  static Status SkipToStart(FileTask* task);
  // Hands completed rollups to the writer; false when the writer gave up.
  bool HandOff(std::vector<model::Rollup>&& done, const std::atomic<int64_t>& rejected,
               RollupQueue* queue) const;
  // Called after each line: hands the builder's completed rollups on when `since` (lines since
  // the last hand-off) says it is time; false when the writer gave up.
  bool HandOffIfDue(ingest::RollupBuilder* builder, int64_t* since,
                    const std::atomic<int64_t>& rejected, RollupQueue* queue) const;
  // This thread's part while scanners run: writes what they complete until they are all done
  // (`read`: bytes on disk read so far, for progress). With `hold`, rollups wait in `rest` until
  // there are many, so small imports hold the store's write lock only for their commit.
  Status Drain(RollupQueue* queue, const std::atomic<int64_t>& rejected,
               const std::function<int64_t()>& read, bool hold, std::vector<model::Rollup>* rest);
  // One stream from its start, on a scanning thread; a gzip file's decoding moves to a thread
  // of its own once it can take one of `spare_cores` (given back at the end). False when it
  // stopped because the writer or another file failed.
  Result<bool> ScanStream(FileTask* task, const model::RouteSnapshot& routes,
                          std::atomic<size_t>* spare_cores, RollupQueue* queue,
                          std::atomic<int64_t>* rejected);
  // A large plain file: split at line boundaries, one scanning thread per core, this thread
  // writing what they complete. What is left unwritten goes to `rest`.
  Status ScanParallel(FileTask* task, const model::RouteSnapshot& routes,
                      std::vector<model::Rollup>* rest);
  // Moves a finished builder's stats and new routes into `out`.
  static void Finish(const ingest::RollupBuilder& builder, ScanOutput* out);
  // Under --strict, whether a rejection (here or in an earlier file) already dooms the import.
  bool Failing(int64_t rejected_here) const;
  // Scanning threads: --threads, else one per core (at most 8).
  int ScanThreads() const {
    if (options_.threads > 0) {
      return options_.threads;
    }
    return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  }
  void Merge(FileResult&& r);
  void Note(const std::string& msg) const {
    if (env_.notice) {
      env_.notice(msg);
    }
  }
  // Reports progress, never backwards (a group read again one file at a time re-reads bytes).
  void Progress(int64_t done_here) {
    reported_disk_bytes_ = std::max(reported_disk_bytes_, done_disk_bytes_ + done_here);
    if (env_.progress) {
      env_.progress(reported_disk_bytes_, total_disk_bytes_);
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
  // Set once before any scan: the scanning threads read it. Minute buckets before
  // fold_sketches_before are past the downsampling age (DESIGN §3): the builders put their
  // requests' latencies straight into hour sketches.
  ingest::BuilderOptions builder_options_;
  int64_t total_disk_bytes_ = 0;
  int64_t done_disk_bytes_ = 0;
  int64_t reported_disk_bytes_ = 0;
};

Result<std::unique_ptr<FileTask>> Import::OpenTask(const std::string& path) {
  auto task = std::make_unique<FileTask>();
  task->path = path;
  VIGIL_ASSIGN_OR_RETURN(task->file, InputFile::Open(path));
  VIGIL_RETURN_IF_ERROR(task->file->ReadPrefix(kIdentityBytes, &task->prefix));
  task->file->ReleaseBuffers();  // until it is read: a group holds many files open
  return task;
}

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

Status Import::PrepareFile(FileTask* task, bool alone) {
  VIGIL_ASSIGN_OR_RETURN(task->stored, Identify(task->prefix));
  task->result = FileResult{};
  task->out = ScanOutput{};
  task->progressed.store(0, std::memory_order_relaxed);
  FileSummary& fs = task->result.summary;
  fs.path = task->path;
  fs.compressed = task->file->compressed();
  task->start = 0;
  task->start_line = 0;
  if (task->stored && !options_.force) {
    task->start = task->stored->position;
    task->start_line = task->stored->line_count;
  }
  if (task->stored && options_.force) {
    fs.note = "read again from the start (--force): its lines count again";
  }
  fs.start_position = task->start;
  // A large plain file read alone is cut into chunks for the threads; anything else streams
  // through one thread.
  task->chunks = alone && !task->file->compressed() &&
                 task->file->compressed_size() - task->start >= options_.parallel_min_bytes &&
                 ScanThreads() > 1;
  // The parser: the format is decided from the file's first lines.
  VIGIL_ASSIGN_OR_RETURN(
      task->parser,
      MakeParser(options_, task->path, task->prefix,
                 task->announced ? std::function<void(const std::string&)>() : env_.notice));
  task->announced = true;
  fs.format = task->parser->Describe();
  return OkStatus();
}

Status Import::Attempt(Tasks tasks) {
  std::set<int64_t> continued;
  for (FileTask* task : tasks) {
    VIGIL_RETURN_IF_ERROR(PrepareFile(task, tasks.size() == 1));
    // Two files of a group continuing one stored file: which continues it depends on the
    // order, as one after another (and a file with nothing new would leave its position where
    // the other's compare-and-set expects it).
    if (task->stored && !continued.insert(task->stored->id).second) {
      return FailedPreconditionError(task->path +
                                     ": continues the same stored file as another "
                                     "file of its group");
    }
  }
  VIGIL_ASSIGN_OR_RETURN(model::RouteSnapshot routes, env_.store->LoadRoutes());
  std::vector<model::Rollup> rest;  // scanned, not written yet
  if (tasks.size() == 1 && tasks.front()->chunks) {
    VIGIL_RETURN_IF_ERROR(ScanParallel(tasks.front(), routes, &rest));
  } else {
    VIGIL_RETURN_IF_ERROR(ScanStreams(tasks, routes, &rest));
  }
  int64_t rejected = 0;
  std::vector<std::pair<std::string, std::string>> new_routes;
  for (FileTask* task : tasks) {
    FileResult& result = task->result;
    ScanOutput& out = task->out;
    MergeTally(std::move(out.tally), task->start_line, options_.max_listed_issues, &result.tally);
    FileSummary& fs = result.summary;
    fs.start_position = task->start;
    fs.lines = result.tally.lines;
    fs.accepted = result.tally.accepted;
    fs.warnings = result.tally.warnings;
    fs.rejected = result.tally.rejected;
    fs.end_position = out.end;
    fs.unterminated_tail = out.unterminated_tail;
    result.late = out.late;
    result.requests_in_other += out.over_cap;
    rejected += fs.rejected;
    new_routes.insert(new_routes.end(), out.new_routes.begin(), out.new_routes.end());
  }
  if (Failing(rejected)) {
    return OkStatus();  // nothing more to write: the invocation rolls back
  }
  // The group's routes are registered in the order of its files; the summary only adds
  // these counts up, so they go to the first file.
  VIGIL_RETURN_IF_ERROR(RegisterRoutes(new_routes, &rest, &tasks.front()->result));
  VIGIL_RETURN_IF_ERROR(WriteRollups(&rest));
  VIGIL_RETURN_IF_ERROR(EnsureTransaction());
  // In one order whatever order the files were given in: two imports of overlapping sets lock
  // the same rows in the same order (PostgreSQL would otherwise find a deadlock).
  std::vector<FileTask*> ordered(tasks.begin(), tasks.end());
  std::sort(ordered.begin(), ordered.end(), [](const FileTask* a, const FileTask* b) {
    return std::make_tuple(!a->stored, a->stored ? a->stored->id : 0, std::string_view(a->prefix)) <
           std::make_tuple(!b->stored, b->stored ? b->stored->id : 0, std::string_view(b->prefix));
  });
  for (FileTask* task : ordered) {
    store::FilePositionUpdate update;
    if (task->stored) {
      update.file_id = task->stored->id;
      update.expected_position = task->stored->position;
    }
    update.prefix_len = static_cast<int64_t>(task->prefix.size());
    update.prefix_hash = Sha256Hex(task->prefix);
    update.new_position = task->out.end;
    update.new_line_count = task->start_line + task->result.tally.lines;
    update.path = task->path;
    VIGIL_RETURN_IF_ERROR(tx_->SaveFilePosition(update));
  }
  return OkStatus();
}

bool Import::Failing(int64_t rejected_here) const {
  return options_.strict && summary_.rejected + rejected_here > 0;
}

void Import::Finish(const ingest::RollupBuilder& builder, ScanOutput* out) {
  out->late += builder.stats().late;
  out->over_cap += builder.stats().over_cap;
  out->new_routes.insert(out->new_routes.end(), builder.new_routes().begin(),
                         builder.new_routes().end());
}

bool Import::HandOff(std::vector<model::Rollup>&& done, const std::atomic<int64_t>& rejected,
                     RollupQueue* queue) const {
  // Under --strict after a rejection nothing will be written: the rollups are dropped.
  return done.empty() || Failing(rejected.load(std::memory_order_relaxed)) ||
         queue->Push(std::move(done));
}

bool Import::HandOffIfDue(ingest::RollupBuilder* builder, int64_t* since,
                          const std::atomic<int64_t>& rejected, RollupQueue* queue) const {
  if (++*since % kHandOffCheckLines != 0 ||
      (*since < kHandOffLines && builder->completed_count() < kHandOffRollups)) {
    return true;
  }
  *since = 0;
  return HandOff(builder->TakeCompleted(), rejected, queue);
}

Status Import::Drain(RollupQueue* queue, const std::atomic<int64_t>& rejected,
                     const std::function<int64_t()>& read, bool hold,
                     std::vector<model::Rollup>* rest) {
  Status st;
  std::vector<model::Rollup> batch;
  while (queue->Pop(&batch)) {
    if (st.ok() && !Failing(rejected.load(std::memory_order_relaxed))) {
      std::move(batch.begin(), batch.end(), std::back_inserter(*rest));
      if (!hold || tx_ != nullptr || rest->size() > kMaxBufferedRollups) {
        st = WriteRollups(rest);
        if (!st.ok()) {
          queue->Close();
        }
      }
    }
    batch.clear();
    Progress(read());
  }
  return st;
}

Status Import::SkipToStart(FileTask* task) {
  InputFile* file = task->file.get();
  VIGIL_RETURN_IF_ERROR(file->Rewind());
  if (task->start == 0) {
    return OkStatus();
  }
  std::vector<char> scratch(1 << 20);
  int64_t skipped = 0;
  while (skipped < task->start) {
    VIGIL_ASSIGN_OR_RETURN(size_t got,
                           file->Read(scratch.data(), static_cast<size_t>(std::min<int64_t>(
                                                          task->start - skipped, 1 << 20))));
    if (got == 0) {
      break;
    }
    skipped += static_cast<int64_t>(got);
  }
  if (skipped < task->start) {
    task->result.summary.note = "shorter than its stored position: read as a new file";
    task->start = 0;
    task->start_line = 0;
    VIGIL_RETURN_IF_ERROR(file->Rewind());
  }
  return OkStatus();
}

Status Import::ScanStreams(Tasks tasks, const model::RouteSnapshot& routes,
                           std::vector<model::Rollup>* rest) {
  RollupQueue queue(kMaxQueuedRollups);
  std::atomic<int64_t> rejected{0};
  std::vector<Status> statuses(tasks.size());
  const size_t cores = static_cast<size_t>(ScanThreads());
  const size_t threads = std::min(cores, tasks.size());
  // The largest files first, so that the group does not end with one large file read alone.
  std::vector<size_t> order(tasks.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return tasks[a]->file->compressed_size() > tasks[b]->file->compressed_size();
  });
  std::atomic<size_t> next{0};
  // Cores with no file to scan: a gzip file is inflated on a thread of its own only when one
  // is free (a group smaller than the cores, or its last files). While every core scans a
  // file, each decoding its own costs less than handing blocks between threads.
  std::atomic<size_t> spare_cores{cores - threads};
  auto scan = [&] {
    YieldToTheWriter();
    for (size_t k = next.fetch_add(1); k < tasks.size() && !queue.closed(); k = next.fetch_add(1)) {
      const size_t i = order[k];
      Result<bool> done = ScanStream(tasks[i], routes, &spare_cores, &queue, &rejected);
      statuses[i] = done.status();
      if (!done.ok() || !*done) {
        queue.Close();
        break;
      }
    }
    spare_cores.fetch_add(1);  // no file left for this thread
    queue.ProducerDone();
  };
  for (size_t i = 0; i < threads; ++i) {
    queue.AddProducer();
  }
  std::vector<std::thread> workers;
  for (size_t i = 0; i < threads; ++i) {
    workers.emplace_back(scan);
  }
  // This thread writes what the scanners complete.
  const Status st = Drain(
      &queue, rejected,
      [&] {
        int64_t read = 0;
        for (FileTask* task : tasks) {
          read += task->progressed.load(std::memory_order_relaxed);
        }
        return read;
      },
      /*hold=*/true, rest);
  for (std::thread& t : workers) {
    t.join();
  }
  VIGIL_RETURN_IF_ERROR(st);
  for (const Status& s : statuses) {  // the first failure in the order of the files
    VIGIL_RETURN_IF_ERROR(s);
  }
  return OkStatus();
}

Result<bool> Import::ScanStream(FileTask* task, const model::RouteSnapshot& routes,
                                std::atomic<size_t>* spare_cores, RollupQueue* queue,
                                std::atomic<int64_t>* rejected) {
  InputFile* file = task->file.get();
  ScanOutput* out = &task->out;
  bool read_ahead = false;  // holds one of the spare cores
  auto read_ahead_if_spare = [&] {
    if (read_ahead || !file->compressed()) {
      return;
    }
    size_t spare = spare_cores->load(std::memory_order_relaxed);
    while (spare > 0 && !spare_cores->compare_exchange_weak(spare, spare - 1)) {
    }
    if (spare > 0) {
      file->StartReadAhead();  // inflating from here on overlaps parsing
      read_ahead = true;
    }
  };
  // However the scan ends: the decoder's buffers go (a retry rewinds) and the core comes back.
  struct Done {
    InputFile* file;
    const bool* read_ahead;
    std::atomic<size_t>* spare_cores;
    ~Done() {
      file->ReleaseBuffers();
      if (*read_ahead) {
        spare_cores->fetch_add(1);
      }
    }
  } done{file, &read_ahead, spare_cores};
  VIGIL_RETURN_IF_ERROR(SkipToStart(task));
  read_ahead_if_spare();
  ingest::RollupBuilder builder(*env_.config, routes, builder_options_);
  LineWorker worker(options_, task->path, task->parser.get(), &builder, &out->tally);
  LineReader reader(file);
  LineReader::Line line;
  int64_t line_no = 0;
  int64_t since_hand_off = 0;
  out->end = file->offset();
  while (reader.Next(&line)) {
    ++line_no;
    out->end = line.end_offset;
    if (!worker.Line(line.text, line.too_long, line_no)) {
      rejected->fetch_add(1, std::memory_order_relaxed);
    }
    if (!HandOffIfDue(&builder, &since_hand_off, *rejected, queue)) {
      return false;
    }
    if (line_no % kHandOffCheckLines == 0) {
      task->progressed.store(file->disk_offset(), std::memory_order_relaxed);
      read_ahead_if_spare();
    }
  }
  VIGIL_RETURN_IF_ERROR(reader.status());
  out->unterminated_tail = reader.pending_bytes() > 0;
  if (!HandOff(builder.TakeAll(), *rejected, queue)) {
    return false;
  }
  Finish(builder, out);
  task->progressed.store(file->compressed_size(), std::memory_order_relaxed);
  return true;
}

Status Import::ScanParallel(FileTask* task, const model::RouteSnapshot& routes,
                            std::vector<model::Rollup>* rest) {
  const InputFile& file = *task->file;
  ScanOutput* out = &task->out;
  // Only complete lines are read: the range ends after the last '\n'.
  const int64_t size = file.compressed_size();
  const int64_t begin = std::min(task->start, size);
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
      s.parser = std::move(task->parser);
    } else {
      VIGIL_ASSIGN_OR_RETURN(s.parser, MakeParser(options_, file.path(), task->prefix, {}));
    }
    s.builder = std::make_unique<ingest::RollupBuilder>(*env_.config, routes, builder_options_);
  }

  RollupQueue queue(kMaxQueuedRollups);
  std::atomic<int64_t> rejected{0};
  std::atomic<int64_t> scanned{0};
  std::atomic<size_t> next_chunk{0};
  auto scan = [&](Scanner& s) {
    YieldToTheWriter();
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
        if (!HandOffIfDue(s.builder.get(), &since_hand_off, rejected, &queue)) {
          stop = true;  // the writer failed
          break;
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
  const Status st = Drain(
      &queue, rejected, [&] { return begin + scanned.load(std::memory_order_relaxed); },
      /*hold=*/false, rest);
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
    std::vector<model::Rollup> left = s.builder->TakeAll();
    std::move(left.begin(), left.end(), std::back_inserter(*rest));
    Finish(*s.builder, out);
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

Status Import::AttemptAndCommit(Tasks tasks) {
  Status st = Attempt(tasks);
  if (st.ok() && !options_.strict) {  // under --strict the invocation commits at its end
    st = tx_->Commit();
    if (st.ok()) {
      tx_.reset();
    }
  }
  if (!st.ok()) {
    tx_.reset();  // roll back
    return st;
  }
  for (FileTask* task : tasks) {
    Merge(std::move(task->result));
    done_disk_bytes_ += task->file->compressed_size();
  }
  return OkStatus();
}

Status Import::ProcessGroup(Tasks tasks) {
  if (tasks.size() == 1) {
    return ProcessOne(tasks.front());
  }
  Status st = AttemptAndCommit(tasks);
  if (st.ok() || options_.strict) {
    return st;  // under --strict a failure rolls the whole invocation back
  }
  // Each file on its own: the files before a failing one keep their import, and a position
  // another import moved is read again from there.
  for (FileTask* task : tasks) {
    VIGIL_RETURN_IF_ERROR(ProcessOne(task));
  }
  return OkStatus();
}

Status Import::ProcessOne(FileTask* task) {
  FileTask* const one[] = {task};
  for (int attempt = 1;; ++attempt) {
    Status st = AttemptAndCommit(one);
    if (st.code() != StatusCode::kFailedPrecondition || options_.strict ||
        attempt == kMaxAttempts) {
      return st;
    }
    Note(task->path + ": another import moved its position meanwhile; reading again from there");
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
  builder_options_.sketch_relative_accuracy = env_.store->info().sketch_relative_accuracy;
  builder_options_.fold_sketches_before =
      (env_.clock->Now() - env_.config->store.sketch_downsample_after)
          .FloorTo(core::Duration::Hours(1));

  // Files are read in groups: consecutive streams (compressed or small files) at once, up to
  // a bound, in one transaction; a large plain file alone, its parts at once. Files that could
  // be taken for one another go to different groups, so each is identified after the other
  // is stored, as when read one after another.
  Status st;
  std::vector<std::unique_ptr<FileTask>> group;
  int64_t group_bytes = 0;
  auto flush = [&] {
    if (st.ok() && !group.empty()) {
      std::vector<FileTask*> tasks;
      for (const auto& task : group) {
        tasks.push_back(task.get());
      }
      st = ProcessGroup(tasks);
    }
    group.clear();
    group_bytes = 0;
  };
  for (const std::string& p : options_.paths) {
    Result<std::unique_ptr<FileTask>> opened = OpenTask(p);
    if (!opened.ok()) {
      flush();  // the files before it are read, as they would be one after another
      if (st.ok()) {
        st = opened.status();
      }
      break;
    }
    std::unique_ptr<FileTask> task = std::move(opened).value();
    const int64_t bytes = task->file->compressed_size();
    const bool alone =
        task->prefix.empty() || (!task->file->compressed() && bytes >= options_.parallel_min_bytes);
    const bool conflicts = std::any_of(group.begin(), group.end(),
                                       [&](const auto& g) { return SameIdentity(*g, *task); });
    if (alone || conflicts || group.size() >= kMaxGroupFiles ||
        group_bytes + bytes > kMaxGroupBytes) {
      flush();
    }
    if (!st.ok()) {
      break;
    }
    if (task->prefix.empty()) {
      FileResult empty;
      empty.summary.path = p;
      empty.summary.compressed = task->file->compressed();
      empty.summary.note = "empty: nothing to read yet";
      Merge(std::move(empty));
      done_disk_bytes_ += bytes;
      continue;
    }
    group.push_back(std::move(task));
    group_bytes += bytes;
    if (alone) {
      flush();
    }
  }
  flush();
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
