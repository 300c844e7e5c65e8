#include "vigil/store/sqlite_store.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <sqlite3.h>

#include "vigil/store/int_list.h"
#include "vigil/store/record_rows.h"

namespace vigil::store {
namespace {

// Versioned migrations: migration i brings the schema from version i to i + 1. Never edit a
// released migration; append a new one. Documented in docs/store-schema.md.
constexpr std::array<std::string_view, 4> kMigrations = {
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE nodes(
  id INTEGER PRIMARY KEY,
  holder TEXT NOT NULL,
  lease_until_ms INTEGER NOT NULL);
CREATE TABLE series(
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  environment TEXT NOT NULL,
  kind INTEGER NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  UNIQUE(service, environment, kind, name, version));
CREATE TABLE rollups(
  series_id INTEGER NOT NULL REFERENCES series(id),
  resolution INTEGER NOT NULL,
  bucket_start_ms INTEGER NOT NULL,
  node INTEGER NOT NULL,
  count INTEGER NOT NULL,
  bad INTEGER NOT NULL,
  client_errors INTEGER NOT NULL,
  thresholds TEXT NOT NULL,
  over_counts TEXT NOT NULL,
  sketch BLOB,
  PRIMARY KEY(series_id, resolution, bucket_start_ms, node)) WITHOUT ROWID;
CREATE INDEX rollups_by_time ON rollups(bucket_start_ms);
CREATE TABLE routes(
  service TEXT NOT NULL,
  name TEXT NOT NULL,
  registered_ms INTEGER NOT NULL,
  PRIMARY KEY(service, name)) WITHOUT ROWID;
CREATE TABLE files(
  id INTEGER PRIMARY KEY,
  prefix_len INTEGER NOT NULL,
  prefix_hash TEXT NOT NULL,
  position INTEGER NOT NULL,
  line_count INTEGER NOT NULL,
  path TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE(prefix_len, prefix_hash));
)sql",
    R"sql(
CREATE TABLE coverage_snapshots(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  format TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  taken_at_ms INTEGER NOT NULL,
  imported_at_ms INTEGER NOT NULL,
  UNIQUE(name, commit_sha, format, content_hash));
CREATE TABLE coverage_files(
  snapshot_id INTEGER NOT NULL REFERENCES coverage_snapshots(id),
  path TEXT NOT NULL,
  lines_found INTEGER NOT NULL,
  lines_hit INTEGER NOT NULL,
  branches_found INTEGER,
  branches_hit INTEGER,
  partial INTEGER NOT NULL,
  PRIMARY KEY(snapshot_id, path)) WITHOUT ROWID;
)sql",
    // 3: quality records as given (record_rows.h has the column order and encodings).
    R"sql(
CREATE TABLE deployments(
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  service TEXT NOT NULL,
  environment TEXT NOT NULL,
  version TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  ref TEXT NOT NULL,
  deployed_at_ms INTEGER NOT NULL,
  url TEXT NOT NULL,
  PRIMARY KEY(source, id));
CREATE INDEX deployments_by_service ON deployments(service, deployed_at_ms);
CREATE INDEX deployments_by_time ON deployments(deployed_at_ms);
CREATE TABLE deployment_statuses(
  source TEXT NOT NULL,
  deployment_id TEXT NOT NULL,
  state TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  description TEXT NOT NULL,
  PRIMARY KEY(source, deployment_id, state, at_ms),
  FOREIGN KEY(source, deployment_id) REFERENCES deployments(source, id)) WITHOUT ROWID;
CREATE TABLE releases(
  service TEXT NOT NULL,
  version TEXT NOT NULL,
  source TEXT NOT NULL,
  tag TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  name TEXT NOT NULL,
  notes TEXT NOT NULL,
  team TEXT NOT NULL,
  areas TEXT NOT NULL,
  type TEXT NOT NULL,
  prerelease INTEGER NOT NULL,
  hotfix INTEGER NOT NULL,
  hotfix_for TEXT NOT NULL,
  deployed_at_ms INTEGER,
  created_at_ms INTEGER,
  environment TEXT NOT NULL,
  url TEXT NOT NULL,
  PRIMARY KEY(service, version));
CREATE INDEX releases_by_time ON releases(deployed_at_ms);
CREATE TABLE incidents(
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  number TEXT NOT NULL,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  service TEXT NOT NULL,
  journey TEXT NOT NULL,
  area TEXT NOT NULL,
  team TEXT NOT NULL,
  environment TEXT NOT NULL,
  started_at_ms INTEGER,
  started_at_dropped INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  detected_at_ms INTEGER,
  resolved_at_ms INTEGER,
  detection_source TEXT NOT NULL,
  cause_service TEXT NOT NULL,
  cause_version TEXT NOT NULL,
  cause TEXT NOT NULL,
  escape_phase TEXT NOT NULL,
  paths TEXT NOT NULL,
  alerts TEXT NOT NULL,
  merged INTEGER NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY(source, id));
CREATE INDEX incidents_by_service ON incidents(service, created_at_ms);
CREATE INDEX incidents_by_time ON incidents(created_at_ms);
CREATE TABLE defects(
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  number TEXT NOT NULL,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  reporter TEXT NOT NULL,
  severity TEXT NOT NULL,
  service TEXT NOT NULL,
  area TEXT NOT NULL,
  team TEXT NOT NULL,
  found_at_ms INTEGER NOT NULL,
  resolved_at_ms INTEGER,
  release_version TEXT NOT NULL,
  incident_ref TEXT NOT NULL,
  escape_phase TEXT NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY(source, id));
CREATE INDEX defects_by_service ON defects(service, found_at_ms);
CREATE INDEX defects_by_time ON defects(found_at_ms);
CREATE TABLE alerts(
  fingerprint TEXT NOT NULL,
  starts_at_ms INTEGER NOT NULL,
  source TEXT NOT NULL,
  ends_at_ms INTEGER,
  rule TEXT NOT NULL,
  service TEXT NOT NULL,
  labels TEXT NOT NULL,
  annotations TEXT NOT NULL,
  incident_ref TEXT NOT NULL,
  generator_url TEXT NOT NULL,
  PRIMARY KEY(fingerprint, starts_at_ms));
CREATE INDEX alerts_by_service ON alerts(service, starts_at_ms);
CREATE INDEX alerts_by_time ON alerts(starts_at_ms);
)sql",
    // 4: the minute rows still holding a sketch, for the downsampler (which otherwise visits
    // every old minute row through rollups_by_time to find the few it folds).
    R"sql(
CREATE INDEX rollups_minute_sketches ON rollups(bucket_start_ms)
  WHERE resolution = 0 AND sketch IS NOT NULL;
)sql",
};

constexpr int kBusyTimeoutMs = 60'000;

Status SqliteError(sqlite3* db, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  int code = db != nullptr ? sqlite3_errcode(db) : SQLITE_NOMEM;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
    return UnavailableError(std::move(msg));
  }
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
    return DataLossError(std::move(msg));
  }
  if (code == SQLITE_FULL || code == SQLITE_IOERR) {
    return ResourceExhaustedError(std::move(msg));
  }
  return InternalError(std::move(msg));
}

// A prepared statement, reset after each use.
class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(stmt_); }

  Status Prepare(sqlite3* db, std::string_view sql) {
    db_ = db;
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt_, nullptr) != SQLITE_OK) {
      return SqliteError(db, "prepare");
    }
    return OkStatus();
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  // Text that stays valid until the statement is reset (not copied).
  void BindStatic(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data() != nullptr ? v.data() : "", static_cast<int>(v.size()),
                      SQLITE_STATIC);
  }

  // Steps once: true when a row is available, false when done.
  Result<bool> Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    return SqliteError(db_, "step");
  }
  // Steps to completion, expecting no rows.
  Status Run() {
    Result<bool> r = Step();
    Reset();
    return r.status();
  }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string_view Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p == nullptr
               ? std::string_view()
               : std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  std::string_view Blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p == nullptr
               ? std::string_view()
               : std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

Status Exec(sqlite3* db, std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  if (sqlite3_exec(db, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    Status st = SqliteError(db, "exec");
    return Status(st.code(), msg);
  }
  return OkStatus();
}

// The prepared upsert of one record table: an insert that does nothing on a key conflict, then
// an update that changes the row only when a column differs (row values compared with IS NOT,
// so NULLs compare equal), so sqlite3_changes() tells created, updated and unchanged apart.
struct RecordStmts {
  Stmt insert, update;
};

std::string InsertRecordSql(const TableSpec& t) {
  std::string sql = "INSERT INTO ";
  sql += t.table;
  sql += '(';
  sql += ColumnList(t.columns);
  sql += ") VALUES(";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    sql += i == 0 ? "?" : ",?";
    sql += std::to_string(i + 1);
  }
  sql += ") ON CONFLICT(";
  sql += ColumnList(t.columns.first(t.key_columns));
  sql += ") DO NOTHING";
  return sql;
}

std::string UpdateRecordSql(const TableSpec& t) {
  std::string set, params;
  for (size_t i = t.key_columns; i < t.columns.size(); ++i) {
    const bool first = i == t.key_columns;
    set += first ? "" : ", ";
    set += t.columns[i].name;
    set += "=?";
    set += std::to_string(i + 1);
    params += first ? "?" : ",?";
    params += std::to_string(i + 1);
  }
  std::string sql = "UPDATE ";
  sql += t.table;
  sql += " SET ";
  sql += set;
  sql += " WHERE ";
  for (size_t i = 0; i < t.key_columns; ++i) {
    sql += t.columns[i].name;
    sql += "=?";
    sql += std::to_string(i + 1);
    sql += " AND ";
  }
  sql += '(';
  sql += ColumnList(t.columns.subspan(t.key_columns));
  sql += ") IS NOT (";
  sql += params;
  sql += ')';
  return sql;
}

std::string SelectRecordsSql(const TableSpec& t) {
  std::string sql = "SELECT ";
  sql += ColumnList(t.columns);
  sql += " FROM ";
  sql += t.table;
  sql += " ORDER BY ";
  sql += ColumnList(t.columns.first(t.key_columns));
  return sql;
}

void BindRow(const TableSpec& spec, const RowValues& row, Stmt* s) {
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    const Value& v = row[i];
    const int index = static_cast<int>(i) + 1;
    if (v.is_null) {
      s->BindNull(index);
    } else if (spec.columns[i].type == ColumnType::kText) {
      s->BindStatic(index, v.text);
    } else {
      s->Bind(index, v.i);
    }
  }
}

class SqliteStore;

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteStore* store, int node, std::string holder, core::Timestamp now,
                    core::Duration ttl)
      : store_(store), node_(node), holder_(std::move(holder)), now_(now), ttl_(ttl) {}
  ~SqliteTransaction() override;

  Status MergeRollups(std::span<const model::Rollup> rollups) override;
  Status RekeySeries(const model::SeriesKey& from, const model::SeriesKey& to) override;
  Result<RouteRegistration> RegisterRoutes(std::string_view service,
                                           std::span<const std::string> routes, int cap,
                                           core::Timestamp now) override;
  Status SaveFilePosition(const FilePositionUpdate& update) override;
  Result<int64_t> DownsampleSketches(core::Timestamp before) override;
  Result<int64_t> DeleteRollupsBefore(core::Timestamp before) override;
  Result<CoverageSave> SaveCoverageSnapshot(const model::CoverageSnapshot& snapshot) override;
  Result<RecordUpsertSummary> UpsertRecords(const model::RecordBatch& batch) override;
  Result<UpsertOutcome> AddDeploymentStatuses(
      std::string_view source, std::string_view id,
      std::span<const model::DeploymentStatus> statuses) override;
  Status Commit() override;

 private:
  Result<int64_t> SeriesId(const model::SeriesKey& key);
  Status MergeOne(int64_t series_id, const model::Rollup& rollup);
  // Binds the 10 columns of a rollup row (upsert_rollup_'s and insert_rollup_'s order).
  Status BindRollup(int64_t series_id, const model::Rollup& rollup, Stmt* s);
  // Upserts the row in row_ into `spec`'s table.
  Result<UpsertOutcome> UpsertRow(const TableSpec& spec, RecordStmts* stmts);
  // Upserts one record per key of `records` (the last one).
  template <typename Record>
  Status UpsertAll(const std::vector<Record>& records, const TableSpec& spec, RecordStmts* stmts,
                   RecordCounts* counts);
  Status UpsertDeployments(const std::vector<model::Deployment>& records, RecordCounts* counts);
  // Upserts normalised statuses of deployment (source, id): true when one was added or changed.
  Result<bool> UpsertStatuses(std::string_view source, std::string_view id,
                              std::span<const model::DeploymentStatus> statuses);

  SqliteStore* store_;
  int node_;
  std::string holder_;
  core::Timestamp now_;
  core::Duration ttl_;
  bool done_ = false;
  // Valid within this transaction only.
  std::unordered_map<model::SeriesKey, int64_t, model::SeriesKeyHash> series_ids_;
  RowValues row_;  // reused for every record row
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  Status Init(const std::string& path, const OpenOptions& options);

  const StoreInfo& info() const override { return info_; }
  Result<int> LeaseNode(std::string_view holder, core::Timestamp now, core::Duration ttl) override;
  Status ReleaseNode(int node, std::string_view holder) override;
  Result<std::unique_ptr<Transaction>> Begin(int node, std::string_view holder, core::Timestamp now,
                                             core::Duration ttl) override;
  Result<model::RouteSnapshot> LoadRoutes() override;
  Result<std::vector<int64_t>> FilePrefixLengths() override;
  Result<std::optional<StoredFile>> FindFile(int64_t prefix_len,
                                             std::string_view prefix_hash) override;
  Status ScanRollups(const RollupQuery& query,
                     const std::function<Status(model::Rollup&&)>& fn) override;
  Result<std::vector<model::CoverageSnapshot>> ListCoverageSnapshots() override;
  Result<model::CoverageSnapshot> LoadCoverageSnapshot(int64_t id) override;
  Result<model::RecordBatch> LoadRecords() override;

 private:
  friend class SqliteTransaction;

  Status Migrate(const OpenOptions& options);
  Status PrepareRecordStatements();
  Status LoadRecordsInto(model::RecordBatch* batch);

  sqlite3* db_;
  StoreInfo info_;
  // Statements used inside transactions.
  Stmt select_series_, insert_series_, select_rollup_, upsert_rollup_, insert_rollup_,
      delete_rollup_, select_series_rows_, count_routes_, select_route_, insert_route_, cas_file_,
      insert_file_, renew_lease_;
  RecordStmts deployments_, releases_, incidents_, defects_, alerts_;
  Stmt upsert_status_, deployment_exists_;
  bool in_transaction_ = false;
};

Status SqliteStore::Init(const std::string& path, const OpenOptions& options) {
  info_.url = "sqlite://" + path;
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  VIGIL_RETURN_IF_ERROR(Exec(db_, "PRAGMA journal_mode=WAL"));
  VIGIL_RETURN_IF_ERROR(Exec(db_, "PRAGMA synchronous=NORMAL"));
  VIGIL_RETURN_IF_ERROR(Exec(db_, "PRAGMA foreign_keys=ON"));
  // 2 MiB of page cache (SQLite's default, stated): the rollup writes' and the record upserts'
  // working set (250k records import no faster with 16 MiB), and a small fixed cost, so a long
  // import's memory stays set by its series, not by the size of its store.
  VIGIL_RETURN_IF_ERROR(Exec(db_, "PRAGMA cache_size=-2048"));
  VIGIL_RETURN_IF_ERROR(Migrate(options));

  VIGIL_RETURN_IF_ERROR(select_series_.Prepare(
      db_,
      "SELECT id FROM series WHERE service=?1 AND environment=?2 AND kind=?3 AND name=?4 AND "
      "version=?5"));
  VIGIL_RETURN_IF_ERROR(insert_series_.Prepare(
      db_, "INSERT INTO series(service, environment, kind, name, version) VALUES(?1,?2,?3,?4,?5)"));
  VIGIL_RETURN_IF_ERROR(select_rollup_.Prepare(
      db_,
      "SELECT count, bad, client_errors, thresholds, over_counts, sketch FROM rollups WHERE "
      "series_id=?1 AND resolution=?2 AND bucket_start_ms=?3 AND node=?4"));
  VIGIL_RETURN_IF_ERROR(upsert_rollup_.Prepare(
      db_,
      "INSERT OR REPLACE INTO rollups(series_id, resolution, bucket_start_ms, node, count, bad, "
      "client_errors, thresholds, over_counts, sketch) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"));
  VIGIL_RETURN_IF_ERROR(insert_rollup_.Prepare(
      db_,
      "INSERT INTO rollups(series_id, resolution, bucket_start_ms, node, count, bad, "
      "client_errors, thresholds, over_counts, sketch) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) "
      "ON CONFLICT DO NOTHING"));
  VIGIL_RETURN_IF_ERROR(delete_rollup_.Prepare(
      db_,
      "DELETE FROM rollups WHERE series_id=?1 AND resolution=?2 AND bucket_start_ms=?3 AND "
      "node=?4"));
  VIGIL_RETURN_IF_ERROR(select_series_rows_.Prepare(
      db_,
      "SELECT resolution, bucket_start_ms, count, bad, client_errors, thresholds, over_counts, "
      "sketch FROM rollups WHERE series_id=?1 AND node=?2"));
  VIGIL_RETURN_IF_ERROR(count_routes_.Prepare(db_, "SELECT count(*) FROM routes WHERE service=?1"));
  VIGIL_RETURN_IF_ERROR(
      select_route_.Prepare(db_, "SELECT 1 FROM routes WHERE service=?1 AND name=?2"));
  VIGIL_RETURN_IF_ERROR(insert_route_.Prepare(
      db_, "INSERT INTO routes(service, name, registered_ms) VALUES(?1,?2,?3)"));
  VIGIL_RETURN_IF_ERROR(cas_file_.Prepare(
      db_,
      "UPDATE files SET prefix_len=?2, prefix_hash=?3, position=?4, path=?5, updated_ms=?6, "
      "line_count=?8 WHERE id=?1 AND position=?7"));
  VIGIL_RETURN_IF_ERROR(insert_file_.Prepare(
      db_,
      "INSERT INTO files(prefix_len, prefix_hash, position, path, updated_ms, line_count) "
      "VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(prefix_len, prefix_hash) DO NOTHING"));
  VIGIL_RETURN_IF_ERROR(
      renew_lease_.Prepare(db_, "UPDATE nodes SET lease_until_ms=?3 WHERE id=?1 AND holder=?2"));
  return PrepareRecordStatements();
}

Status SqliteStore::PrepareRecordStatements() {
  const std::pair<const TableSpec*, RecordStmts*> tables[] = {
      {&kDeploymentsTable, &deployments_}, {&kReleasesTable, &releases_},
      {&kIncidentsTable, &incidents_},     {&kDefectsTable, &defects_},
      {&kAlertsTable, &alerts_},
  };
  for (const auto& [spec, stmts] : tables) {
    VIGIL_RETURN_IF_ERROR(stmts->insert.Prepare(db_, InsertRecordSql(*spec)));
    VIGIL_RETURN_IF_ERROR(stmts->update.Prepare(db_, UpdateRecordSql(*spec)));
  }
  // A known (state, at) keeps its row; only a different description changes it.
  VIGIL_RETURN_IF_ERROR(upsert_status_.Prepare(
      db_,
      "INSERT INTO deployment_statuses(source, deployment_id, state, at_ms, description) "
      "VALUES(?1,?2,?3,?4,?5) ON CONFLICT(source, deployment_id, state, at_ms) DO UPDATE SET "
      "description=excluded.description WHERE description IS NOT excluded.description"));
  return deployment_exists_.Prepare(db_, "SELECT 1 FROM deployments WHERE source=?1 AND id=?2");
}

Status SqliteStore::Migrate(const OpenOptions& options) {
  VIGIL_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  auto fail = [this](Status st) {
    (void)Exec(db_, "ROLLBACK");
    return st;
  };
  int version = 0;
  {
    Stmt has_meta;
    VIGIL_RETURN_IF_ERROR(has_meta.Prepare(
        db_, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'"));
    Result<bool> row = has_meta.Step();
    if (!row.ok()) {
      return fail(row.status());
    }
    if (has_meta.Int(0) > 0) {
      Stmt get;
      VIGIL_RETURN_IF_ERROR(get.Prepare(db_, "SELECT value FROM meta WHERE key='schema_version'"));
      Result<bool> got = get.Step();
      if (!got.ok()) {
        return fail(got.status());
      }
      if (*got) {
        version = std::atoi(std::string(get.Text(0)).c_str());
      }
    }
  }
  if (version > static_cast<int>(kMigrations.size())) {
    return fail(FailedPreconditionError(
        info_.url + ": store schema version " + std::to_string(version) +
        " is newer than this vigil supports (" + std::to_string(kMigrations.size()) + ")"));
  }
  const bool fresh = version == 0;
  for (int v = version; v < static_cast<int>(kMigrations.size()); ++v) {
    Status st = Exec(db_, kMigrations[static_cast<size_t>(v)]);
    if (!st.ok()) {
      return fail(st.WithPrefix("migration " + std::to_string(v + 1)));
    }
  }
  Stmt put;
  VIGIL_RETURN_IF_ERROR(put.Prepare(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"));
  put.Bind(1, std::string_view("schema_version"));
  put.Bind(2, std::to_string(kMigrations.size()));
  if (Status st = put.Run(); !st.ok()) {
    return fail(st);
  }
  if (fresh) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", options.sketch_relative_accuracy);
    put.Bind(1, std::string_view("sketch_relative_accuracy"));
    put.Bind(2, std::string_view(buf));
    if (Status st = put.Run(); !st.ok()) {
      return fail(st);
    }
  }
  Stmt get_acc;
  VIGIL_RETURN_IF_ERROR(
      get_acc.Prepare(db_, "SELECT value FROM meta WHERE key='sketch_relative_accuracy'"));
  Result<bool> got = get_acc.Step();
  if (!got.ok() || !*got) {
    return fail(DataLossError(info_.url + ": meta has no sketch_relative_accuracy"));
  }
  info_.sketch_relative_accuracy = std::strtod(std::string(get_acc.Text(0)).c_str(), nullptr);
  info_.schema_version = static_cast<int>(kMigrations.size());
  if (!(info_.sketch_relative_accuracy > 0 && info_.sketch_relative_accuracy < 1)) {
    return fail(DataLossError(info_.url + ": bad sketch_relative_accuracy in meta"));
  }
  return Exec(db_, "COMMIT");
}

Result<int> SqliteStore::LeaseNode(std::string_view holder, core::Timestamp now,
                                   core::Duration ttl) {
  VIGIL_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  Stmt free_node;
  VIGIL_RETURN_IF_ERROR(
      free_node.Prepare(db_, "SELECT id FROM nodes WHERE lease_until_ms < ?1 ORDER BY id LIMIT 1"));
  free_node.Bind(1, now.unix_ms());
  Result<bool> row = free_node.Step();
  if (!row.ok()) {
    (void)Exec(db_, "ROLLBACK");
    return row.status();
  }
  int64_t id = 0;
  if (*row) {
    id = free_node.Int(0);
  } else {
    Stmt max_id;
    VIGIL_RETURN_IF_ERROR(max_id.Prepare(db_, "SELECT COALESCE(MAX(id), 0) + 1 FROM nodes"));
    Result<bool> r = max_id.Step();
    if (!r.ok()) {
      (void)Exec(db_, "ROLLBACK");
      return r.status();
    }
    id = max_id.Int(0);
  }
  Stmt put;
  VIGIL_RETURN_IF_ERROR(put.Prepare(
      db_, "INSERT OR REPLACE INTO nodes(id, holder, lease_until_ms) VALUES(?1, ?2, ?3)"));
  put.Bind(1, id);
  put.Bind(2, holder);
  put.Bind(3, (now + ttl).unix_ms());
  if (Status st = put.Run(); !st.ok()) {
    (void)Exec(db_, "ROLLBACK");
    return st;
  }
  VIGIL_RETURN_IF_ERROR(Exec(db_, "COMMIT"));
  return static_cast<int>(id);
}

Status SqliteStore::ReleaseNode(int node, std::string_view holder) {
  Stmt rel;
  VIGIL_RETURN_IF_ERROR(
      rel.Prepare(db_, "UPDATE nodes SET lease_until_ms=0 WHERE id=?1 AND holder=?2"));
  rel.Bind(1, node);
  rel.Bind(2, holder);
  return rel.Run();
}

Result<std::unique_ptr<Transaction>> SqliteStore::Begin(int node, std::string_view holder,
                                                        core::Timestamp now, core::Duration ttl) {
  VIGIL_CHECK(!in_transaction_, "one transaction at a time per Store");
  VIGIL_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  in_transaction_ = true;
  return std::unique_ptr<Transaction>(
      std::make_unique<SqliteTransaction>(this, node, std::string(holder), now, ttl));
}

Result<model::RouteSnapshot> SqliteStore::LoadRoutes() {
  Stmt q;
  VIGIL_RETURN_IF_ERROR(q.Prepare(db_, "SELECT service, name FROM routes ORDER BY service, name"));
  model::RouteSnapshot snap;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) {
      break;
    }
    std::string_view service = q.Text(0);
    if (snap.services.empty() || snap.services.back().first != service) {
      snap.services.emplace_back(std::string(service), std::vector<std::string>());
    }
    snap.services.back().second.emplace_back(q.Text(1));
  }
  return snap;
}

Result<std::vector<int64_t>> SqliteStore::FilePrefixLengths() {
  Stmt q;
  VIGIL_RETURN_IF_ERROR(
      q.Prepare(db_, "SELECT DISTINCT prefix_len FROM files ORDER BY prefix_len DESC"));
  std::vector<int64_t> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) {
      break;
    }
    out.push_back(q.Int(0));
  }
  return out;
}

Result<std::optional<StoredFile>> SqliteStore::FindFile(int64_t prefix_len,
                                                        std::string_view prefix_hash) {
  Stmt q;
  VIGIL_RETURN_IF_ERROR(q.Prepare(
      db_,
      "SELECT id, position, path, line_count FROM files WHERE prefix_len=?1 AND prefix_hash=?2"));
  q.Bind(1, prefix_len);
  q.Bind(2, prefix_hash);
  VIGIL_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) {
    return std::optional<StoredFile>();
  }
  StoredFile f;
  f.id = q.Int(0);
  f.prefix_len = prefix_len;
  f.prefix_hash = std::string(prefix_hash);
  f.position = q.Int(1);
  f.path = std::string(q.Text(2));
  f.line_count = q.Int(3);
  return std::optional<StoredFile>(std::move(f));
}

// Fills the counters, thresholds and sketch of `out` from a row's columns starting at `col`
// (count, bad, client_errors, thresholds, over_counts, sketch).
Status ReadRollupColumns(const Stmt& q, int col, double accuracy, model::Rollup* out) {
  out->count = q.Int(col);
  out->bad = q.Int(col + 1);
  out->client_errors = q.Int(col + 2);
  VIGIL_ASSIGN_OR_RETURN(std::vector<int64_t> thresholds, SplitInts(q.Text(col + 3)));
  VIGIL_ASSIGN_OR_RETURN(out->over, SplitInts(q.Text(col + 4)));
  if (thresholds.size() != out->over.size()) {
    return DataLossError("rollup row: thresholds and over_counts differ in length");
  }
  out->thresholds.clear();
  for (int64_t t : thresholds) {
    out->thresholds.push_back(core::LatencyUs::FromMicros(t));
  }
  if (q.IsNull(col + 5)) {
    out->latency = sketch::Sketch(accuracy);
  } else {
    VIGIL_ASSIGN_OR_RETURN(out->latency, sketch::Sketch::Decode(q.Blob(col + 5)));
  }
  return OkStatus();
}

Status SqliteStore::ScanRollups(const RollupQuery& query,
                                const std::function<Status(model::Rollup&&)>& fn) {
  std::string sql =
      "SELECT s.service, s.environment, s.kind, s.name, s.version, r.resolution, "
      "r.bucket_start_ms, r.count, r.bad, r.client_errors, r.thresholds, r.over_counts, r.sketch "
      "FROM rollups r JOIN series s ON s.id = r.series_id WHERE 1=1";
  if (query.service) {
    sql += " AND s.service = ?1";
  }
  if (query.from) {
    sql += " AND (r.bucket_start_ms >= ?2 OR (r.resolution = 1 AND r.bucket_start_ms >= ?4))";
  }
  if (query.to) {
    sql += " AND r.bucket_start_ms < ?3";
  }
  sql += " ORDER BY s.id, r.resolution, r.bucket_start_ms, r.node";
  Stmt q;
  VIGIL_RETURN_IF_ERROR(q.Prepare(db_, sql));
  if (query.service) {
    q.Bind(1, *query.service);
  }
  if (query.from) {
    q.Bind(2, query.from->unix_ms());
    q.Bind(4, query.from->FloorTo(core::Duration::Hours(1)).unix_ms());
  }
  if (query.to) {
    q.Bind(3, query.to->unix_ms());
  }
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) {
      break;
    }
    model::Rollup r;
    r.series.service = std::string(q.Text(0));
    r.series.environment = std::string(q.Text(1));
    r.series.kind = q.Int(2) == 0 ? model::SeriesKind::kJourney : model::SeriesKind::kRoute;
    r.series.name = std::string(q.Text(3));
    r.series.version = std::string(q.Text(4));
    r.resolution = q.Int(5) == 1 ? model::Resolution::kHour : model::Resolution::kMinute;
    r.bucket_start = core::Timestamp::FromUnixMillis(q.Int(6));
    VIGIL_RETURN_IF_ERROR(ReadRollupColumns(q, 7, info_.sketch_relative_accuracy, &r));
    VIGIL_RETURN_IF_ERROR(fn(std::move(r)));
  }
  return OkStatus();
}

namespace {

constexpr std::string_view kSnapshotColumns =
    "SELECT s.id, s.name, s.commit_sha, s.format, s.content_hash, s.taken_at_ms, "
    "s.imported_at_ms, (SELECT COUNT(*) FROM coverage_files f WHERE f.snapshot_id = s.id) "
    "FROM coverage_snapshots s";

model::CoverageSnapshot ReadSnapshotRow(const Stmt& q) {
  model::CoverageSnapshot s;
  s.id = q.Int(0);
  s.name = std::string(q.Text(1));
  s.commit = std::string(q.Text(2));
  s.format = std::string(q.Text(3));
  s.content_hash = std::string(q.Text(4));
  s.taken_at = core::Timestamp::FromUnixMillis(q.Int(5));
  s.imported_at = core::Timestamp::FromUnixMillis(q.Int(6));
  s.file_count = q.Int(7);
  return s;
}

}  // namespace

Result<std::vector<model::CoverageSnapshot>> SqliteStore::ListCoverageSnapshots() {
  Stmt q;
  VIGIL_RETURN_IF_ERROR(
      q.Prepare(db_, std::string(kSnapshotColumns) + " ORDER BY s.name, s.taken_at_ms, s.id"));
  std::vector<model::CoverageSnapshot> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) {
      break;
    }
    out.push_back(ReadSnapshotRow(q));
  }
  return out;
}

Result<model::CoverageSnapshot> SqliteStore::LoadCoverageSnapshot(int64_t id) {
  Stmt q;
  VIGIL_RETURN_IF_ERROR(q.Prepare(db_, std::string(kSnapshotColumns) + " WHERE s.id = ?1"));
  q.Bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) {
    return NotFoundError("coverage snapshot " + std::to_string(id) + " not found");
  }
  model::CoverageSnapshot snap = ReadSnapshotRow(q);
  Stmt files;
  VIGIL_RETURN_IF_ERROR(files.Prepare(
      db_,
      "SELECT path, lines_found, lines_hit, branches_found, branches_hit, partial FROM "
      "coverage_files WHERE snapshot_id = ?1 ORDER BY path"));
  files.Bind(1, id);
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool more, files.Step());
    if (!more) {
      break;
    }
    model::FileCoverage f;
    f.path = std::string(files.Text(0));
    f.lines_found = files.Int(1);
    f.lines_hit = files.Int(2);
    if (!files.IsNull(3) && !files.IsNull(4)) {
      f.branches_found = files.Int(3);
      f.branches_hit = files.Int(4);
    }
    f.partial = files.Int(5) != 0;
    snap.files.push_back(std::move(f));
  }
  return snap;
}

template <typename Record>
Status LoadTable(sqlite3* db, const TableSpec& spec, std::vector<Record>* out) {
  // Sized first: records are large, and growing the vector would move each several times.
  Stmt count;
  VIGIL_RETURN_IF_ERROR(count.Prepare(db, "SELECT count(*) FROM " + std::string(spec.table)));
  VIGIL_ASSIGN_OR_RETURN(bool counted, count.Step());
  out->reserve(out->size() + static_cast<size_t>(counted ? count.Int(0) : 0));
  Stmt q;
  VIGIL_RETURN_IF_ERROR(q.Prepare(db, SelectRecordsSql(spec)));
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) {
      return OkStatus();
    }
    Record r;
    VIGIL_RETURN_IF_ERROR(ReadRecord(q, &r));
    out->push_back(std::move(r));
  }
}

Status SqliteStore::LoadRecordsInto(model::RecordBatch* batch) {
  VIGIL_RETURN_IF_ERROR(LoadTable(db_, kDeploymentsTable, &batch->deployments));
  Stmt q;
  VIGIL_RETURN_IF_ERROR(q.Prepare(db_,
                                  "SELECT source, deployment_id, state, at_ms, description FROM "
                                  "deployment_statuses ORDER BY source, deployment_id"));
  StatusAttacher attach(&batch->deployments);
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) {
      break;
    }
    std::string source, id;
    model::DeploymentStatus status;
    VIGIL_RETURN_IF_ERROR(ReadStatus(q, &source, &id, &status));
    VIGIL_RETURN_IF_ERROR(attach.Add(source, id, std::move(status)));
  }
  attach.Finish();
  VIGIL_RETURN_IF_ERROR(LoadTable(db_, kReleasesTable, &batch->releases));
  VIGIL_RETURN_IF_ERROR(LoadTable(db_, kIncidentsTable, &batch->incidents));
  VIGIL_RETURN_IF_ERROR(LoadTable(db_, kDefectsTable, &batch->defects));
  return LoadTable(db_, kAlertsTable, &batch->alerts);
}

Result<model::RecordBatch> SqliteStore::LoadRecords() {
  // Outside a transaction, one read transaction makes the six queries one snapshot.
  const bool own = !in_transaction_;
  if (own) {
    VIGIL_RETURN_IF_ERROR(Exec(db_, "BEGIN"));
  }
  model::RecordBatch batch;
  Status st = LoadRecordsInto(&batch);
  if (own) {
    Status end = Exec(db_, "ROLLBACK");
    if (st.ok()) {
      st = end;
    }
  }
  VIGIL_RETURN_IF_ERROR(st);
  return batch;
}

SqliteTransaction::~SqliteTransaction() {
  if (!done_) {
    (void)Exec(store_->db_, "ROLLBACK");
    store_->in_transaction_ = false;
  }
}

Result<int64_t> SqliteTransaction::SeriesId(const model::SeriesKey& key) {
  if (auto it = series_ids_.find(key); it != series_ids_.end()) {
    return it->second;
  }
  auto bind = [&key](Stmt& s) {
    s.Bind(1, key.service);
    s.Bind(2, key.environment);
    s.Bind(3, static_cast<int64_t>(key.kind));
    s.Bind(4, key.name);
    s.Bind(5, key.version);
  };
  Stmt& sel = store_->select_series_;
  bind(sel);
  Result<bool> row = sel.Step();
  int64_t id = row.ok() && *row ? sel.Int(0) : 0;
  sel.Reset();
  VIGIL_RETURN_IF_ERROR(row.status());
  if (id == 0) {
    Stmt& ins = store_->insert_series_;
    bind(ins);
    VIGIL_RETURN_IF_ERROR(ins.Run());
    id = sqlite3_last_insert_rowid(store_->db_);
  }
  series_ids_.emplace(key, id);
  return id;
}

Status SqliteTransaction::MergeOne(int64_t series_id, const model::Rollup& rollup) {
  // A new row (what a first import writes) takes one statement: the insert that does nothing
  // on a conflict. Only an existing row is read, merged and replaced.
  Stmt& ins = store_->insert_rollup_;
  VIGIL_RETURN_IF_ERROR(BindRollup(series_id, rollup, &ins));
  VIGIL_RETURN_IF_ERROR(ins.Run());
  if (sqlite3_changes(store_->db_) > 0) {
    return OkStatus();
  }
  Stmt& sel = store_->select_rollup_;
  sel.Bind(1, series_id);
  sel.Bind(2, static_cast<int64_t>(rollup.resolution));
  sel.Bind(3, rollup.bucket_start.unix_ms());
  sel.Bind(4, node_);
  Result<bool> row = sel.Step();
  if (!row.ok() || !*row) {
    sel.Reset();
    return row.ok() ? InternalError("a rollup row vanished inside its transaction") : row.status();
  }
  model::Rollup merged;
  merged.series = rollup.series;
  merged.resolution = rollup.resolution;
  merged.bucket_start = rollup.bucket_start;
  Status st = ReadRollupColumns(sel, 0, store_->info_.sketch_relative_accuracy, &merged);
  sel.Reset();
  VIGIL_RETURN_IF_ERROR(st);
  VIGIL_RETURN_IF_ERROR(merged.MergeFrom(rollup));
  Stmt& up = store_->upsert_rollup_;
  VIGIL_RETURN_IF_ERROR(BindRollup(series_id, merged, &up));
  return up.Run();
}

Status SqliteTransaction::BindRollup(int64_t series_id, const model::Rollup& rollup, Stmt* s) {
  s->Bind(1, series_id);
  s->Bind(2, static_cast<int64_t>(rollup.resolution));
  s->Bind(3, rollup.bucket_start.unix_ms());
  s->Bind(4, node_);
  s->Bind(5, rollup.count);
  s->Bind(6, rollup.bad);
  s->Bind(7, rollup.client_errors);
  if (rollup.thresholds.empty()) {
    s->BindStatic(8, "");
  } else {
    std::vector<int64_t> thresholds;
    thresholds.reserve(rollup.thresholds.size());
    for (core::LatencyUs t : rollup.thresholds) {
      thresholds.push_back(t.us());
    }
    s->Bind(8, JoinInts(thresholds));
  }
  if (rollup.over.empty()) {
    s->BindStatic(9, "");
  } else {
    s->Bind(9, JoinInts(rollup.over));
  }
  // An empty sketch is stored as NULL: nothing for the downsampler to fold (a minute whose
  // sketch already went to its hour row, or a log without latencies).
  if (rollup.latency.empty()) {
    s->BindNull(10);
  } else {
    s->BindBlob(10, rollup.latency.Encode());
  }
  return OkStatus();
}

Status SqliteTransaction::MergeRollups(std::span<const model::Rollup> rollups) {
  // Rows are written in primary-key order: consecutive inserts land on the same B-tree leaf,
  // which SQLite finds without a descent from the root (the scanners complete minutes one
  // minute of every series at a time, the worst order for the key).
  struct Row {
    int64_t series_id;
    int64_t bucket_ms;
    uint8_t resolution;
    size_t index;
  };
  std::vector<Row> rows;
  rows.reserve(rollups.size());
  const model::SeriesKey* last_key = nullptr;
  int64_t last_id = 0;
  for (size_t i = 0; i < rollups.size(); ++i) {
    const model::Rollup& r = rollups[i];
    if (last_key == nullptr || *last_key != r.series) {
      VIGIL_ASSIGN_OR_RETURN(last_id, SeriesId(r.series));
      last_key = &r.series;
    }
    rows.push_back(Row{last_id, r.bucket_start.unix_ms(), static_cast<uint8_t>(r.resolution), i});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.series_id, a.resolution, a.bucket_ms, a.index) <
           std::tie(b.series_id, b.resolution, b.bucket_ms, b.index);
  });
  for (const Row& row : rows) {
    VIGIL_RETURN_IF_ERROR(MergeOne(row.series_id, rollups[row.index]));
  }
  return OkStatus();
}

Status SqliteTransaction::RekeySeries(const model::SeriesKey& from, const model::SeriesKey& to) {
  VIGIL_ASSIGN_OR_RETURN(int64_t from_id, SeriesId(from));
  VIGIL_ASSIGN_OR_RETURN(int64_t to_id, SeriesId(to));
  std::vector<model::Rollup> rows;
  Stmt& sel = store_->select_series_rows_;
  sel.Bind(1, from_id);
  sel.Bind(2, node_);
  for (;;) {
    Result<bool> row = sel.Step();
    if (!row.ok() || !*row) {
      sel.Reset();
      VIGIL_RETURN_IF_ERROR(row.status());
      break;
    }
    model::Rollup r;
    r.series = to;
    r.resolution = sel.Int(0) == 1 ? model::Resolution::kHour : model::Resolution::kMinute;
    r.bucket_start = core::Timestamp::FromUnixMillis(sel.Int(1));
    Status st = ReadRollupColumns(sel, 2, store_->info_.sketch_relative_accuracy, &r);
    if (!st.ok()) {
      sel.Reset();
      return st;
    }
    rows.push_back(std::move(r));
  }
  for (const model::Rollup& r : rows) {
    Stmt& del = store_->delete_rollup_;
    del.Bind(1, from_id);
    del.Bind(2, static_cast<int64_t>(r.resolution));
    del.Bind(3, r.bucket_start.unix_ms());
    del.Bind(4, node_);
    VIGIL_RETURN_IF_ERROR(del.Run());
    VIGIL_RETURN_IF_ERROR(MergeOne(to_id, r));
  }
  return OkStatus();
}

Result<RouteRegistration> SqliteTransaction::RegisterRoutes(std::string_view service,
                                                            std::span<const std::string> routes,
                                                            int cap, core::Timestamp now) {
  // The transaction holds SQLite's write lock (BEGIN IMMEDIATE), which serialises writers.
  RouteRegistration out;
  Stmt& count = store_->count_routes_;
  count.Bind(1, service);
  Result<bool> row = count.Step();
  int64_t n = row.ok() && *row ? count.Int(0) : 0;
  count.Reset();
  VIGIL_RETURN_IF_ERROR(row.status());
  for (const std::string& route : routes) {
    Stmt& sel = store_->select_route_;
    sel.Bind(1, service);
    sel.Bind(2, route);
    Result<bool> exists = sel.Step();
    sel.Reset();
    VIGIL_RETURN_IF_ERROR(exists.status());
    if (*exists) {
      out.registered.push_back(route);
      continue;
    }
    if (n >= cap) {
      out.overflowed.push_back(route);
      continue;
    }
    Stmt& ins = store_->insert_route_;
    ins.Bind(1, service);
    ins.Bind(2, route);
    ins.Bind(3, now.unix_ms());
    VIGIL_RETURN_IF_ERROR(ins.Run());
    ++n;
    out.registered.push_back(route);
  }
  return out;
}

Status SqliteTransaction::SaveFilePosition(const FilePositionUpdate& update) {
  if (update.file_id) {
    Stmt& cas = store_->cas_file_;
    cas.Bind(1, *update.file_id);
    cas.Bind(2, update.prefix_len);
    cas.Bind(3, update.prefix_hash);
    cas.Bind(4, update.new_position);
    cas.Bind(5, update.path);
    cas.Bind(6, now_.unix_ms());
    cas.Bind(7, update.expected_position);
    cas.Bind(8, update.new_line_count);
    VIGIL_RETURN_IF_ERROR(cas.Run());
  } else {
    Stmt& ins = store_->insert_file_;
    ins.Bind(1, update.prefix_len);
    ins.Bind(2, update.prefix_hash);
    ins.Bind(3, update.new_position);
    ins.Bind(4, update.path);
    ins.Bind(5, now_.unix_ms());
    ins.Bind(6, update.new_line_count);
    VIGIL_RETURN_IF_ERROR(ins.Run());
  }
  if (sqlite3_changes(store_->db_) != 1) {
    return FailedPreconditionError(update.path +
                                   ": another import moved this file's position meanwhile");
  }
  return OkStatus();
}

Result<int64_t> SqliteTransaction::DownsampleSketches(core::Timestamp before) {
  sqlite3* db = store_->db_;
  // Read, then claim, the sketches: this transaction holds SQLite's write lock (BEGIN
  // IMMEDIATE), so no other writer can fold or update them in between.
  Stmt claim;
  VIGIL_RETURN_IF_ERROR(claim.Prepare(
      db,
      "SELECT series_id, bucket_start_ms, sketch FROM rollups WHERE resolution = 0 AND "
      "bucket_start_ms < ?1 AND sketch IS NOT NULL"));
  claim.Bind(1, before.unix_ms());
  const double accuracy = store_->info_.sketch_relative_accuracy;
  std::map<std::pair<int64_t, int64_t>, sketch::Sketch> hours;
  int64_t folded = 0;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, claim.Step());
    if (!row) {
      break;
    }
    VIGIL_ASSIGN_OR_RETURN(sketch::Sketch minute, sketch::Sketch::Decode(claim.Blob(2)));
    int64_t hour =
        core::Timestamp::FromUnixMillis(claim.Int(1)).FloorTo(core::Duration::Hours(1)).unix_ms();
    auto [it, inserted] = hours.try_emplace({claim.Int(0), hour}, sketch::Sketch(accuracy));
    VIGIL_RETURN_IF_ERROR(it->second.Merge(minute));
    ++folded;
  }
  Stmt clear;
  VIGIL_RETURN_IF_ERROR(clear.Prepare(
      db,
      "UPDATE rollups SET sketch = NULL WHERE resolution = 0 AND bucket_start_ms < ?1 AND "
      "sketch IS NOT NULL"));
  clear.Bind(1, before.unix_ms());
  VIGIL_RETURN_IF_ERROR(clear.Run());
  if (sqlite3_changes(db) != folded) {
    return InternalError("downsampling: the claimed minute sketches changed under the lock");
  }
  for (auto& [key, hour_sketch] : hours) {
    model::Rollup r;
    r.resolution = model::Resolution::kHour;
    r.bucket_start = core::Timestamp::FromUnixMillis(key.second);
    r.latency = std::move(hour_sketch);
    VIGIL_RETURN_IF_ERROR(MergeOne(key.first, r));
  }
  return folded;
}

Result<int64_t> SqliteTransaction::DeleteRollupsBefore(core::Timestamp before) {
  Stmt del;
  VIGIL_RETURN_IF_ERROR(del.Prepare(store_->db_, "DELETE FROM rollups WHERE bucket_start_ms < ?1"));
  del.Bind(1, before.unix_ms());
  VIGIL_RETURN_IF_ERROR(del.Run());
  return static_cast<int64_t>(sqlite3_changes(store_->db_));
}

Result<CoverageSave> SqliteTransaction::SaveCoverageSnapshot(
    const model::CoverageSnapshot& snapshot) {
  sqlite3* db = store_->db_;
  Stmt find;
  VIGIL_RETURN_IF_ERROR(find.Prepare(db,
                                     "SELECT id FROM coverage_snapshots WHERE name=?1 AND "
                                     "commit_sha=?2 AND format=?3 AND content_hash=?4"));
  find.Bind(1, snapshot.name);
  find.Bind(2, snapshot.commit);
  find.Bind(3, snapshot.format);
  find.Bind(4, snapshot.content_hash);
  VIGIL_ASSIGN_OR_RETURN(bool found, find.Step());
  if (found) {
    return CoverageSave{find.Int(0), false};
  }
  Stmt ins;
  VIGIL_RETURN_IF_ERROR(ins.Prepare(
      db,
      "INSERT INTO coverage_snapshots(name, commit_sha, format, content_hash, taken_at_ms, "
      "imported_at_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
  ins.Bind(1, snapshot.name);
  ins.Bind(2, snapshot.commit);
  ins.Bind(3, snapshot.format);
  ins.Bind(4, snapshot.content_hash);
  ins.Bind(5, snapshot.taken_at.unix_ms());
  ins.Bind(6, snapshot.imported_at.unix_ms());
  VIGIL_RETURN_IF_ERROR(ins.Run());
  const int64_t id = sqlite3_last_insert_rowid(db);
  Stmt file;
  VIGIL_RETURN_IF_ERROR(file.Prepare(
      db,
      "INSERT INTO coverage_files(snapshot_id, path, lines_found, lines_hit, branches_found, "
      "branches_hit, partial) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  for (const model::FileCoverage& f : snapshot.files) {
    file.Bind(1, id);
    file.Bind(2, f.path);
    file.Bind(3, f.lines_found);
    file.Bind(4, f.lines_hit);
    if (f.branches_found && f.branches_hit) {
      file.Bind(5, *f.branches_found);
      file.Bind(6, *f.branches_hit);
    } else {
      file.BindNull(5);
      file.BindNull(6);
    }
    file.Bind(7, int64_t{f.partial ? 1 : 0});
    VIGIL_RETURN_IF_ERROR(file.Run().WithPrefix("coverage file '" + f.path + "'"));
  }
  return CoverageSave{id, true};
}

Result<UpsertOutcome> SqliteTransaction::UpsertRow(const TableSpec& spec, RecordStmts* stmts) {
  sqlite3* db = store_->db_;
  BindRow(spec, row_, &stmts->insert);
  Status st = stmts->insert.Run();
  if (st.ok() && sqlite3_changes(db) == 1) {
    return UpsertOutcome::kCreated;
  }
  if (st.ok()) {
    BindRow(spec, row_, &stmts->update);
    st = stmts->update.Run();
  }
  if (!st.ok()) {
    return st.WithPrefix(RowForMessage(spec, row_));
  }
  return sqlite3_changes(db) == 1 ? UpsertOutcome::kUpdated : UpsertOutcome::kUnchanged;
}

template <typename Record>
Status SqliteTransaction::UpsertAll(const std::vector<Record>& records, const TableSpec& spec,
                                    RecordStmts* stmts, RecordCounts* counts) {
  // Key order: one record per key, and B-tree inserts that mostly append.
  for (const Record* r : LastPerKey(records)) {
    RecordRow(*r, &row_);
    VIGIL_ASSIGN_OR_RETURN(UpsertOutcome outcome, UpsertRow(spec, stmts));
    CountOutcome(outcome, counts);
  }
  return OkStatus();
}

Result<bool> SqliteTransaction::UpsertStatuses(std::string_view source, std::string_view id,
                                               std::span<const model::DeploymentStatus> statuses) {
  bool changed = false;
  Stmt& up = store_->upsert_status_;
  for (const model::DeploymentStatus& s : statuses) {
    StatusRow(source, id, s, &row_);
    BindRow(kStatusesTable, row_, &up);
    if (Status st = up.Run(); !st.ok()) {
      return st.WithPrefix(RowForMessage(kDeploymentsTable, row_));
    }
    changed = changed || sqlite3_changes(store_->db_) > 0;
  }
  return changed;
}

Status SqliteTransaction::UpsertDeployments(const std::vector<model::Deployment>& records,
                                            RecordCounts* counts) {
  for (const PendingDeployment& p : PendingDeployments(records)) {
    RecordRow(*p.record, &row_);
    VIGIL_ASSIGN_OR_RETURN(UpsertOutcome outcome,
                           UpsertRow(kDeploymentsTable, &store_->deployments_));
    VIGIL_ASSIGN_OR_RETURN(bool added, UpsertStatuses(p.record->source, p.record->id, p.statuses));
    if (outcome == UpsertOutcome::kUnchanged && added) {
      outcome = UpsertOutcome::kUpdated;
    }
    CountOutcome(outcome, counts);
  }
  return OkStatus();
}

Result<RecordUpsertSummary> SqliteTransaction::UpsertRecords(const model::RecordBatch& batch) {
  // The transaction holds SQLite's write lock (BEGIN IMMEDIATE): no other writer can insert a
  // key between the insert and the update of one record.
  RecordUpsertSummary out;
  VIGIL_RETURN_IF_ERROR(UpsertDeployments(batch.deployments, &out.deployments));
  VIGIL_RETURN_IF_ERROR(
      UpsertAll(batch.releases, kReleasesTable, &store_->releases_, &out.releases));
  VIGIL_RETURN_IF_ERROR(
      UpsertAll(batch.incidents, kIncidentsTable, &store_->incidents_, &out.incidents));
  VIGIL_RETURN_IF_ERROR(UpsertAll(batch.defects, kDefectsTable, &store_->defects_, &out.defects));
  VIGIL_RETURN_IF_ERROR(UpsertAll(batch.alerts, kAlertsTable, &store_->alerts_, &out.alerts));
  return out;
}

Result<UpsertOutcome> SqliteTransaction::AddDeploymentStatuses(
    std::string_view source, std::string_view id,
    std::span<const model::DeploymentStatus> statuses) {
  Stmt& exists = store_->deployment_exists_;
  exists.BindStatic(1, source);
  exists.BindStatic(2, id);
  Result<bool> found = exists.Step();
  exists.Reset();
  VIGIL_RETURN_IF_ERROR(found.status());
  if (!*found) {
    return NotFoundError("deployment (" + core::QuoteForMessage(source) + ", " +
                         core::QuoteForMessage(id) + ") is not stored");
  }
  std::vector<model::DeploymentStatus> normalized(statuses.begin(), statuses.end());
  NormalizeStatuses(&normalized);
  VIGIL_ASSIGN_OR_RETURN(bool changed, UpsertStatuses(source, id, normalized));
  return changed ? UpsertOutcome::kUpdated : UpsertOutcome::kUnchanged;
}

Status SqliteTransaction::Commit() {
  VIGIL_CHECK(!done_, "Commit() twice");
  Stmt& renew = store_->renew_lease_;
  renew.Bind(1, node_);
  renew.Bind(2, holder_);
  renew.Bind(3, (now_ + ttl_).unix_ms());
  VIGIL_RETURN_IF_ERROR(renew.Run());
  if (sqlite3_changes(store_->db_) != 1) {
    return FailedPreconditionError("node " + std::to_string(node_) +
                                   ": lease lost to another writer; nothing committed");
  }
  VIGIL_RETURN_IF_ERROR(Exec(store_->db_, "COMMIT"));
  done_ = true;
  store_->in_transaction_ = false;
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const OpenOptions& options) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (!exists && !options.create_if_missing) {
    return NotFoundError("no store at " + path + " (run `vigil init` or `vigil ingest` first)");
  }
  if (!(options.sketch_relative_accuracy > 0 && options.sketch_relative_accuracy < 1)) {
    return InvalidArgumentError("sketch relative accuracy must be in (0, 1)");
  }
  // SQLite's memory statistics take a global mutex on every allocation; vigil reads none. Only
  // possible before SQLite initialises (later it is refused, harmlessly).
  static std::once_flag no_memstatus;
  std::call_once(no_memstatus, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
              (options.create_if_missing ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status st = SqliteError(db, "open " + path);
    sqlite3_close_v2(db);
    return st;
  }
  auto store = std::make_unique<SqliteStore>(db);
  VIGIL_RETURN_IF_ERROR(store->Init(path, options).WithPrefix(path));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace vigil::store
