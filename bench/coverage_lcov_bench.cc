// Coverage parser kernels for the line formats: ParseLcov over a generated ~200 MB tracefile
// shaped like a raw lcov 1.x capture of a large C++ project (one TN block per object file, the
// object's source plus the headers it includes as repeated SF sections, FN/FNDA/BRDA/DA
// records), and ParseGoCoverprofile over a generated `-coverpkg` profile (blocks unsorted, each
// repeated once per test binary). Inputs come from a fixed seed; the expected totals are
// computed while generating and checked before timing and after each parse (STYLE §7).
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "vigil/ingest/coverage.h"

namespace {

using vigil::Result;
using vigil::ingest::ParsedCoverage;
using vigil::ingest::ParseGoCoverprofile;
using vigil::ingest::ParseLcov;

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "coverage_lcov_bench: wrong result: %s\n", what);
    std::abort();
  }
}

void AppendNumber(std::string* out, uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

struct Generated {
  std::string text;
  size_t files = 0;
  int64_t lines_found = 0;
  int64_t lines_hit = 0;
  int64_t branches_found = 0;
};

// One source file of the generated project: its executable lines, and which of them any
// section has hit so far (for the expected totals).
struct Source {
  std::string path;
  std::vector<uint32_t> lines;
  std::vector<bool> hit;
  std::vector<bool> branch_line;  // lines with two BRDA edges
  bool seen = false;
};

Source MakeSource(std::mt19937_64& rng, std::string path, uint32_t min_lines, uint32_t max_lines) {
  Source s;
  s.path = std::move(path);
  const uint32_t length = min_lines + static_cast<uint32_t>(rng() % (max_lines - min_lines));
  for (uint32_t line = 1; line <= length; ++line) {
    if (rng() % 10 < 6) {  // ~60% of lines hold code
      s.lines.push_back(line);
      s.branch_line.push_back(rng() % 100 < 15);
    }
  }
  s.hit.assign(s.lines.size(), false);
  return s;
}

// One SF section of `s`, as geninfo writes it: FN/FNDA every ~20 lines, DA with BRDA after
// branching lines. ~30% of lines never ran; counts are skewed like real ones.
void AppendSection(std::mt19937_64& rng, Source* s, std::string* out) {
  out->append("SF:").append(s->path).push_back('\n');
  const bool ran = rng() % 8 != 0;  // some objects' code never ran at all
  for (size_t i = 0; i < s->lines.size(); i += 20) {
    out->append("FN:");
    AppendNumber(out, s->lines[i]);
    out->append(",_ZN4acme4func").append(std::to_string(i)).append("Ev\nFNDA:");
    AppendNumber(out, ran ? rng() % 50 : 0);
    out->append(",_ZN4acme4func").append(std::to_string(i)).append("Ev\n");
  }
  for (size_t i = 0; i < s->lines.size(); ++i) {
    const uint64_t hits = !ran || rng() % 10 < 3 ? 0 : (uint64_t{1} << (rng() % 20)) + rng() % 7;
    out->append("DA:");
    AppendNumber(out, s->lines[i]);
    out->push_back(',');
    AppendNumber(out, hits);
    out->push_back('\n');
    if (hits > 0) {
      s->hit[i] = true;
    }
    if (s->branch_line[i]) {
      for (int branch = 0; branch < 2; ++branch) {
        out->append("BRDA:");
        AppendNumber(out, s->lines[i]);
        out->append(",0,");
        AppendNumber(out, static_cast<uint64_t>(branch));
        out->push_back(',');
        if (hits == 0) {
          out->push_back('-');
        } else {
          AppendNumber(out, rng() % 3 == 0 ? 0 : hits / 2);
        }
        out->push_back('\n');
      }
    }
  }
  out->append("end_of_record\n");
  s->seen = true;
}

Generated MakeLcov(size_t target_bytes) {
  std::mt19937_64 rng(1414);
  std::vector<Source> headers;
  for (int h = 0; h < 3000; ++h) {
    headers.push_back(
        MakeSource(rng, "/build/acme/include/acme/h" + std::to_string(h) + ".h", 20, 400));
  }
  std::vector<Source> sources;
  Generated g;
  g.text.reserve(target_bytes + (1 << 20));
  for (int object = 0; g.text.size() < target_bytes; ++object) {
    sources.push_back(MakeSource(rng,
                                 "/build/acme/src/module" + std::to_string(object % 97) + "/file" +
                                     std::to_string(object) + ".cc",
                                 100, 1500));
    g.text.append("TN:\n");
    AppendSection(rng, &sources.back(), &g.text);
    const int includes = static_cast<int>(rng() % 7);
    for (int i = 0; i < includes; ++i) {
      AppendSection(rng, &headers[rng() % headers.size()], &g.text);
    }
  }
  for (const std::vector<Source>* group : {&sources, &headers}) {
    for (const Source& s : *group) {
      if (!s.seen) {
        continue;
      }
      ++g.files;
      g.lines_found += static_cast<int64_t>(s.lines.size());
      for (bool h : s.hit) {
        g.lines_hit += h ? 1 : 0;
      }
      for (bool b : s.branch_line) {
        g.branches_found += b ? 2 : 0;
      }
    }
  }
  return g;
}

void CheckTotals(const ParsedCoverage& c, const Generated& g) {
  Require(c.issues.empty(), "no issues");
  Require(c.files.size() == g.files, "file count");
  int64_t found = 0;
  int64_t hit = 0;
  int64_t branches = 0;
  for (const auto& f : c.files) {
    found += f.lines_found;
    hit += f.lines_hit;
    branches += f.branches_found.value_or(0);
  }
  Require(found == g.lines_found, "lines found");
  Require(hit == g.lines_hit, "lines hit");
  Require(branches == g.branches_found, "branches found");
}

const Generated& LcovInput() {
  static const Generated g = [] {
    Generated made = MakeLcov(200u << 20);
    Result<ParsedCoverage> r = ParseLcov(made.text);
    Require(r.ok(), "lcov parses");
    CheckTotals(*r, made);
    return made;
  }();
  return g;
}

void BM_ParseLcov(benchmark::State& state) {
  const Generated& g = LcovInput();
  for (auto _ : state) {
    Result<ParsedCoverage> r = ParseLcov(g.text);
    Require(r.ok() && r->files.size() == g.files, "lcov file count");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(g.text.size()));
  state.counters["files"] = static_cast<double>(g.files);
  state.counters["input_MB"] = static_cast<double>(g.text.size()) / 1e6;
}
BENCHMARK(BM_ParseLcov)->Unit(benchmark::kMillisecond);

// A `-coverpkg` profile: every package's test binary lists every block of every file once, in
// the compiler's (unsorted) order; one test binary in three ran a given block.
Generated MakeGo(size_t target_bytes) {
  std::mt19937_64 rng(1919);
  struct GoBlock {
    uint32_t start_line, start_col, end_line, end_col, stmts;
  };
  struct GoFile {
    std::string path;
    std::vector<GoBlock> blocks;
  };
  std::vector<GoFile> files;
  size_t block_bytes = 0;
  constexpr int kTestBinaries = 4;
  while (block_bytes * kTestBinaries < target_bytes) {
    GoFile f;
    f.path = "github.com/acme/shop/v2/pkg" + std::to_string(files.size() % 211) + "/file" +
             std::to_string(files.size()) + ".go";
    uint32_t line = 3;
    uint32_t col = 2;
    const int blocks = 5 + static_cast<int>(rng() % 120);
    for (int b = 0; b < blocks; ++b) {
      // Blocks follow each other; one in three starts on the line where the previous ended.
      const uint32_t span = static_cast<uint32_t>(rng() % 6);
      const uint32_t stmts = rng() % 10 == 0 ? 0 : 1 + static_cast<uint32_t>(rng() % 5);
      const uint32_t end_col = (span == 0 ? col : 1) + 1 + static_cast<uint32_t>(rng() % 40);
      f.blocks.push_back(GoBlock{line, col, line + span, end_col, stmts});
      block_bytes += f.path.size() + 30;
      if (rng() % 3 == 0) {
        line += span;
        col = end_col + 1;
      } else {
        line += span + 1 + static_cast<uint32_t>(rng() % 3);
        col = 2 + static_cast<uint32_t>(rng() % 30);
      }
    }
    files.push_back(std::move(f));
  }
  Generated g;
  g.text.reserve(target_bytes + (1 << 20));
  g.text.append("mode: count\n");
  // Per (file, block): whether any binary ran it, for lines hit (a line is hit when any block
  // with statements spanning it ran).
  std::vector<std::vector<bool>> ran(files.size());
  // The compiler's order is not the source order (a block's tail comes before its nested
  // blocks): a fixed shuffle per file.
  std::vector<std::vector<size_t>> order(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    ran[i].assign(files[i].blocks.size(), false);
    for (size_t b = 0; b < files[i].blocks.size(); ++b) {
      order[i].push_back(b);
    }
    std::shuffle(order[i].begin(), order[i].end(), rng);
  }
  for (int binary = 0; binary < kTestBinaries; ++binary) {
    for (size_t i = 0; i < files.size(); ++i) {
      const GoFile& f = files[i];
      for (size_t b : order[i]) {
        const GoBlock& blk = f.blocks[b];
        const uint64_t count = rng() % 3 == 0 ? 1 + rng() % 1000 : 0;
        ran[i][b] = ran[i][b] || count > 0;
        g.text.append(f.path).push_back(':');
        AppendNumber(&g.text, blk.start_line);
        g.text.push_back('.');
        AppendNumber(&g.text, blk.start_col);
        g.text.push_back(',');
        AppendNumber(&g.text, blk.end_line);
        g.text.push_back('.');
        AppendNumber(&g.text, blk.end_col);
        g.text.push_back(' ');
        AppendNumber(&g.text, blk.stmts);
        g.text.push_back(' ');
        AppendNumber(&g.text, count);
        g.text.push_back('\n');
      }
    }
  }
  g.files = files.size();
  for (size_t i = 0; i < files.size(); ++i) {
    std::vector<int> state;  // per line: -1 absent, 0 found, 1 hit
    for (size_t b = 0; b < files[i].blocks.size(); ++b) {
      const GoBlock& blk = files[i].blocks[b];
      if (blk.stmts == 0) {
        continue;
      }
      if (state.size() <= blk.end_line) {
        state.resize(blk.end_line + 1, -1);
      }
      for (uint32_t line = blk.start_line; line <= blk.end_line; ++line) {
        state[line] = std::max(state[line], ran[i][b] ? 1 : 0);
      }
    }
    for (int s : state) {
      g.lines_found += s >= 0 ? 1 : 0;
      g.lines_hit += s > 0 ? 1 : 0;
    }
  }
  return g;
}

const Generated& GoInput() {
  static const Generated g = [] {
    Generated made = MakeGo(50u << 20);
    Result<ParsedCoverage> r = ParseGoCoverprofile(made.text);
    Require(r.ok(), "go profile parses");
    CheckTotals(*r, made);
    return made;
  }();
  return g;
}

void BM_ParseGoCoverprofile(benchmark::State& state) {
  const Generated& g = GoInput();
  for (auto _ : state) {
    Result<ParsedCoverage> r = ParseGoCoverprofile(g.text);
    Require(r.ok() && r->files.size() == g.files, "go file count");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(g.text.size()));
  state.counters["files"] = static_cast<double>(g.files);
  state.counters["input_MB"] = static_cast<double>(g.text.size()) / 1e6;
}
BENCHMARK(BM_ParseGoCoverprofile)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
