#include "vigil/metrics/coverage.h"

#include <algorithm>
#include <map>
#include <utility>

namespace vigil::metrics {
namespace {

__extension__ using Int128 = __int128;

struct Chosen {
  model::FileCoverage file;
  std::string name;
};

// Whether `a` covers more than `b`: higher line rate (a file with nothing coverable ranks
// lowest), then more coverable lines.
bool Better(const model::FileCoverage& a, const model::FileCoverage& b) {
  if (a.lines_found == 0 || b.lines_found == 0) {
    return a.lines_found > b.lines_found;
  }
  // Compare a.hit/a.found with b.hit/b.found exactly.
  const Int128 lhs = static_cast<Int128>(a.lines_hit) * b.lines_found;
  const Int128 rhs = static_cast<Int128>(b.lines_hit) * a.lines_found;
  if (lhs != rhs) {
    return lhs > rhs;
  }
  return a.lines_found > b.lines_found;
}

void Accumulate(const model::FileCoverage& f, CoverageRow* row) {
  ++row->files;
  row->lines_found += f.lines_found;
  row->lines_hit += f.lines_hit;
  if (f.branches_found && f.branches_hit) {
    row->branches_found = row->branches_found.value_or(0) + *f.branches_found;
    row->branches_hit = row->branches_hit.value_or(0) + *f.branches_hit;
  }
  if (f.partial) {
    ++row->partial_files;
  }
}

void FinishRates(CoverageRow* row) {
  if (row->lines_found > 0) {
    row->line_rate = static_cast<double>(row->lines_hit) / static_cast<double>(row->lines_found);
  }
  if (row->branches_found && *row->branches_found > 0) {
    row->branch_rate =
        static_cast<double>(*row->branches_hit) / static_cast<double>(*row->branches_found);
  }
}

}  // namespace

Result<CoverageTable> BuildCoverageTable(store::Store& store, const CoverageQuery& query,
                                         const config::AreaMap& areas,
                                         const config::Codeowners* owners) {
  CoverageTable table;
  VIGIL_ASSIGN_OR_RETURN(std::vector<model::CoverageSnapshot> all, store.ListCoverageSnapshots());
  // Listed by name, then taken_at, then id: the last of each name is its latest.
  for (size_t i = 0; i < all.size(); ++i) {
    if (i + 1 < all.size() && all[i + 1].name == all[i].name) {
      continue;
    }
    if (!query.names.empty() &&
        std::find(query.names.begin(), query.names.end(), all[i].name) == query.names.end()) {
      continue;
    }
    table.snapshots.push_back(std::move(all[i]));
  }

  std::map<std::string, Chosen> files;
  for (const model::CoverageSnapshot& listed : table.snapshots) {
    VIGIL_ASSIGN_OR_RETURN(model::CoverageSnapshot snap, store.LoadCoverageSnapshot(listed.id));
    for (model::FileCoverage& f : snap.files) {
      auto it = files.find(f.path);
      if (it == files.end()) {
        std::string path = f.path;
        files.emplace(std::move(path), Chosen{std::move(f), snap.name});
      } else if (Better(f, it->second.file)) {
        it->second = Chosen{std::move(f), snap.name};
      }
    }
  }

  std::map<std::string, CoverageRow> groups;
  for (const auto& [path, chosen] : files) {
    Accumulate(chosen.file, &table.total);
    const std::string area(areas.AreaOf(path));
    std::vector<std::string> file_owners;
    if (owners != nullptr) {
      file_owners = owners->OwnersOf(path);
    }
    switch (query.by) {
      case CoverageBy::kFile: {
        CoverageRow row;
        row.key = path;
        row.area = area;
        row.owners = file_owners;
        row.snapshot_name = chosen.name;
        Accumulate(chosen.file, &row);
        FinishRates(&row);
        table.rows.push_back(std::move(row));
        break;
      }
      case CoverageBy::kArea:
        Accumulate(chosen.file, &groups[area]);
        break;
      case CoverageBy::kTeam:
        if (file_owners.empty()) {
          Accumulate(chosen.file, &groups[""]);
        }
        for (const std::string& owner : file_owners) {
          Accumulate(chosen.file, &groups[owner]);
        }
        break;
    }
  }
  for (auto& [key, row] : groups) {
    if (key.empty()) {
      continue;
    }
    row.key = key;
    FinishRates(&row);
    table.rows.push_back(std::move(row));
  }
  if (auto none = groups.find(""); none != groups.end()) {
    FinishRates(&none->second);
    table.rows.push_back(std::move(none->second));
  }
  FinishRates(&table.total);
  return table;
}

}  // namespace vigil::metrics
