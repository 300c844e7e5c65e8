// The backend-neutral Store interface (DESIGN §3, §6): request rollups merged per writer node,
// the route registry, file positions, node leases, coverage snapshots and the quality records
// (deployments, releases, incidents, defects, alerts) as given. SQLite is the embedded default
// (sqlite_store.h); PostgreSQL implements the same interface.
//
// Not here: parsing (ingest), driving an import (importer), aggregation for reports (metrics).
// Thread-safety: a Store and its Transactions are used by one thread at a time; several
// processes (or Store objects) may share one database, each writing only its own node's rows.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/core/time.h"
#include "vigil/model/coverage.h"
#include "vigil/model/records.h"
#include "vigil/model/rollup.h"
#include "vigil/model/routes.h"

namespace vigil::store {

// A file an import has read: identified by a hash of its first `prefix_len` decompressed bytes
// (L = min(size, 64 KiB)), positioned at the end of its last complete line.
struct StoredFile {
  int64_t id = 0;
  int64_t prefix_len = 0;
  std::string prefix_hash;  // lowercase hex SHA-256 of the first prefix_len bytes
  int64_t position = 0;     // decompressed bytes consumed
  int64_t line_count = 0;   // lines consumed (so reports keep true line numbers)
  std::string path;         // where it was last read from (informational)
};

// A compare-and-set of a file's position, applied with the rollups it covers.
struct FilePositionUpdate {
  std::optional<int64_t> file_id;  // the stored file the import started from; nullopt = new
  int64_t expected_position = 0;   // its position when the import started
  int64_t prefix_len = 0;          // identity as of now (stored again at every commit)
  std::string prefix_hash;
  int64_t new_position = 0;
  int64_t new_line_count = 0;
  std::string path;
};

// The outcome of registering automatic routes under a per-service cap.
struct RouteRegistration {
  std::vector<std::string> registered;  // now in the registry (newly or already)
  std::vector<std::string> overflowed;  // refused by the cap: their rollups belong to "other"
};

// A filter over stored rollups. Bucket starts in [from, to); unset bounds are open. Hour rows
// (downsampled sketches) whose hour overlaps the window are included too: a window that cuts
// an hour is widened to whole hours for sketches (the caller marks it so).
struct RollupQuery {
  std::optional<std::string> service;
  std::optional<core::Timestamp> from;
  std::optional<core::Timestamp> to;
};

struct CoverageSave {
  int64_t id = 0;
  bool created = false;
};

// What an upsert did to one record (one key).
enum class UpsertOutcome { kCreated, kUpdated, kUnchanged };

// Upsert outcomes of one record kind, one per distinct key.
struct RecordCounts {
  int64_t created = 0, updated = 0, unchanged = 0;
  friend bool operator==(const RecordCounts&, const RecordCounts&) = default;
};

struct RecordUpsertSummary {
  RecordCounts deployments, releases, incidents, defects, alerts;
  friend bool operator==(const RecordUpsertSummary&, const RecordUpsertSummary&) = default;
};

// One writer's transaction. Destroying it without Commit() rolls everything back.
class Transaction {
 public:
  Transaction() = default;
  virtual ~Transaction() = default;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Merges each rollup into this writer's row of its (series, resolution, bucket), creating
  // rows as needed. Rows of other nodes are never touched.
  virtual Status MergeRollups(std::span<const model::Rollup> rollups) = 0;

  // Moves this writer's rows of series `from` into series `to` (merging), e.g. an automatic
  // route that overflowed the cap into "other".
  virtual Status RekeySeries(const model::SeriesKey& from, const model::SeriesKey& to) = 0;

  // Registers `routes` of `service` while the registry holds at most `cap` routes for it;
  // already-registered routes stay registered. Serialised across writers.
  virtual Result<RouteRegistration> RegisterRoutes(std::string_view service,
                                                   std::span<const std::string> routes, int cap,
                                                   core::Timestamp now) = 0;

  // Compare-and-set of a file's position (see FilePositionUpdate). kFailedPrecondition when
  // another import moved it (or stored the same new file) since: roll back and read again.
  virtual Status SaveFilePosition(const FilePositionUpdate& update) = 0;

  // Folds every minute sketch with a bucket before `before` (whichever node wrote it) into
  // this writer's hour rows, claiming it (the minute row keeps its counters; its sketch
  // becomes NULL). Returns how many minute sketches were folded. DESIGN §3.
  virtual Result<int64_t> DownsampleSketches(core::Timestamp before) = 0;

  // Deletes every rollup row (all nodes, all resolutions) with a bucket before `before`
  // (retention). Returns how many rows went.
  virtual Result<int64_t> DeleteRollupsBefore(core::Timestamp before) = 0;

  // Stores a coverage snapshot with its files (snapshot.id and file_count are ignored), unless
  // one with the same (name, commit, format, content_hash) is stored already: then nothing
  // changes. Returns the snapshot's id and whether it was created.
  virtual Result<CoverageSave> SaveCoverageSnapshot(const model::CoverageSnapshot& snapshot) = 0;

  // Upserts every record of `batch` by its key (DESIGN §3): deployment, incident and defect by
  // (source, id); release by (service, version); alert by (fingerprint, starts_at). A record
  // equal to the stored one is unchanged; otherwise the new record replaces the stored one field
  // by field, except a deployment's statuses, which are the union of stored and new (identity
  // (state, at); a new description for the same (state, at) replaces the old), sorted by
  // (at, state). Records are stored as given: nothing is derived (a deployment without statuses
  // is stored without any). Within one batch, later records with the same key win (their
  // deployment statuses are united too) and each distinct key counts once in the summary.
  // Errors: kInvalidArgument for text PostgreSQL cannot hold (naming the record and field);
  // store errors as for the other writes. On error the transaction must be rolled back.
  virtual Result<RecordUpsertSummary> UpsertRecords(const model::RecordBatch& batch) = 0;

  // Adds `statuses` to the stored deployment (source, id), as the union above. kNotFound when no
  // such deployment is stored (or visible to this transaction); kUpdated when a status was added
  // or its description changed; kUnchanged when every status was already there as given.
  virtual Result<UpsertOutcome> AddDeploymentStatuses(
      std::string_view source, std::string_view id,
      std::span<const model::DeploymentStatus> statuses) = 0;

  // Checks and renews the writer's node lease, then commits. kFailedPrecondition when the
  // lease was lost (another writer holds the node): nothing is committed.
  virtual Status Commit() = 0;
};

struct StoreInfo {
  std::string url;
  int schema_version = 0;
  double sketch_relative_accuracy = 0.01;  // fixed when the store was created
};

class Store {
 public:
  Store() = default;
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  virtual const StoreInfo& info() const = 0;

  // Leases the lowest free node id for `holder` (a random token per process) until now + ttl.
  virtual Result<int> LeaseNode(std::string_view holder, core::Timestamp now,
                                core::Duration ttl) = 0;
  // Gives the lease back (no-op when it is no longer held by `holder`).
  virtual Status ReleaseNode(int node, std::string_view holder) = 0;

  // Starts a write transaction for `node`, whose lease `holder` holds; `now` renews it at
  // commit for `ttl`.
  virtual Result<std::unique_ptr<Transaction>> Begin(int node, std::string_view holder,
                                                     core::Timestamp now, core::Duration ttl) = 0;

  virtual Result<model::RouteSnapshot> LoadRoutes() = 0;

  // Distinct prefix lengths of stored files, longest first.
  virtual Result<std::vector<int64_t>> FilePrefixLengths() = 0;
  // The stored file with this identity, if any.
  virtual Result<std::optional<StoredFile>> FindFile(int64_t prefix_len,
                                                     std::string_view prefix_hash) = 0;

  // Calls `fn` with every stored rollup row matching `query` (rows of all nodes, unmerged):
  // minute rows with their counters and, unless downsampled, their sketch; hour rows with a
  // sketch only. An error returned by `fn` stops the scan and is returned.
  virtual Status ScanRollups(const RollupQuery& query,
                             const std::function<Status(model::Rollup&&)>& fn) = 0;

  // Every stored coverage snapshot without its files (file_count set), ordered by name, then
  // taken_at, then id.
  virtual Result<std::vector<model::CoverageSnapshot>> ListCoverageSnapshots() = 0;
  // One snapshot with its files sorted by path; kNotFound for an unknown id.
  virtual Result<model::CoverageSnapshot> LoadCoverageSnapshot(int64_t id) = 0;

  // Every stored record (one consistent snapshot when no transaction is open), each vector
  // sorted by its key, text bytewise: deployments by (source, id) with their statuses sorted by
  // (at, state), releases by (service, version), incidents and defects by (source, id), alerts by
  // (fingerprint, starts_at). kDataLoss for a row vigil cannot read back (e.g. an enum name it
  // does not know).
  virtual Result<model::RecordBatch> LoadRecords() = 0;
};

struct OpenOptions {
  bool create_if_missing = true;
  double sketch_relative_accuracy = 0.01;  // used only when creating
};

// Opens the store at `url`: "" → ./vigil.db; "sqlite:///abs/path", "sqlite://rel/path" or a
// plain path → SQLite. kNotFound when it does not exist and create_if_missing is false;
// kInvalidArgument for an unknown scheme.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const OpenOptions& options);

}  // namespace vigil::store
