// Sketch kernels: Add (with and without a tabulated index), Merge, Encode, Decode, Quantile.
// Inputs come from a fixed seed; each result is checked before timing (STYLE §7).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "vigil/sketch/sketch.h"

namespace {

using vigil::sketch::Sketch;

// Request latencies: lognormal around 30 ms, 1% zeros (cache hits logged as 0).
std::vector<int64_t> Latencies(size_t n) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> d(std::log(30000.0), 1.2);
  std::vector<int64_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = i % 100 == 0 ? 0 : static_cast<int64_t>(d(rng));
  }
  return v;
}

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "sketch_bench: wrong result: %s\n", what);
    std::abort();
  }
}

void BM_SketchAdd(benchmark::State& state) {
  const std::vector<int64_t> values = Latencies(1 << 16);
  for (auto _ : state) {
    Sketch s;
    for (int64_t v : values) {
      s.Add(v);
    }
    Require(s.count() == values.size(), "count");
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
}
BENCHMARK(BM_SketchAdd);

// The ingest fast path: IndexOf tabulated for values below 2^20 µs, log() above.
void BM_SketchAddIndexedTable(benchmark::State& state) {
  const std::vector<int64_t> values = Latencies(1 << 16);
  const Sketch proto;
  std::vector<int32_t> table(1 << 20);
  for (size_t v = 0; v < table.size(); ++v) {
    table[v] = proto.IndexOf(static_cast<int64_t>(v));
  }
  auto index_of = [&](int64_t v) {
    return v >= 0 && v < static_cast<int64_t>(table.size()) ? table[static_cast<size_t>(v)]
                                                            : proto.IndexOf(v);
  };
  Sketch reference;
  Sketch check;
  for (int64_t v : values) {
    reference.Add(v);
    check.AddIndexed(index_of(v), v);
  }
  Require(check == reference, "tabulated adds equal Add");
  for (auto _ : state) {
    Sketch s;
    for (int64_t v : values) {
      s.AddIndexed(index_of(v), v);
    }
    Require(s.count() == reference.count(), "count");
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
}
BENCHMARK(BM_SketchAddIndexedTable);

// Folding 60 minute sketches into an hour (the downsampler, and every window query).
void BM_SketchMergeMinutesIntoHour(benchmark::State& state) {
  const std::vector<int64_t> values = Latencies(60 * 1000);
  std::vector<Sketch> minutes(60);
  Sketch whole;
  for (size_t i = 0; i < values.size(); ++i) {
    minutes[i / 1000].Add(values[i]);
    whole.Add(values[i]);
  }
  for (auto _ : state) {
    Sketch hour;
    for (const Sketch& m : minutes) {
      Require(hour.Merge(m).ok(), "merge");
    }
    Require(hour.count() == whole.count(), "count");
    benchmark::DoNotOptimize(hour);
  }
  Sketch hour;
  for (const Sketch& m : minutes) {
    Require(hour.Merge(m).ok(), "merge");
  }
  Require(hour == whole, "merged minutes equal the hour");
  state.SetItemsProcessed(state.iterations() * 60);
}
BENCHMARK(BM_SketchMergeMinutesIntoHour);

void BM_SketchEncode(benchmark::State& state) {
  Sketch s;
  for (int64_t v : Latencies(1000)) {
    s.Add(v);
  }
  const std::string expected = s.Encode();
  int64_t bytes = 0;
  for (auto _ : state) {
    std::string out = s.Encode();
    Require(out.size() == expected.size(), "size");
    bytes += static_cast<int64_t>(out.size());
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SketchEncode);

void BM_SketchDecode(benchmark::State& state) {
  Sketch s;
  for (int64_t v : Latencies(1000)) {
    s.Add(v);
  }
  const std::string bytes = s.Encode();
  Require(*Sketch::Decode(bytes) == s, "decode(encode(x)) == x");
  for (auto _ : state) {
    vigil::Result<Sketch> r = Sketch::Decode(bytes);
    Require(r.ok() && r->count() == s.count(), "decode");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SketchDecode);

void BM_SketchQuantiles(benchmark::State& state) {
  Sketch s;
  for (int64_t v : Latencies(1 << 16)) {
    s.Add(v);
  }
  for (auto _ : state) {
    double total = 0;
    for (double q : {0.5, 0.95, 0.99, 0.999}) {
      total += *s.Quantile(q);
    }
    Require(total > 0, "quantiles");
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * 4);
}
BENCHMARK(BM_SketchQuantiles);

}  // namespace

BENCHMARK_MAIN();
