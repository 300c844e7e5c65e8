// Access-log hot path kernels, one thread (issue 12, DESIGN §7): splitting lines, parsing
// nginx combined + $request_time lines, and parsing plus building per-minute rollups. The log
// is vigil's own demo log, 200k lines (~44 MB) generated once into memory, either dense (over
// 90 minutes: the traffic density of the 10M-line, 3-day log bench/e2e/ingest_compare.sh
// reads, ~2300 requests a minute) or sparse (over 3 days: ~46 a minute, so most requests open
// a new minute of their series). Every result is checked before it is timed (STYLE §7). Bytes/s is
// the figure to compare: two scanning threads at the rate of BM_ParseAndBuild, less the store write
// and the read copy, bound `vigil ingest access-log` on 2 cores.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>
#include <zlib.h>

#include <benchmark/benchmark.h>

#include "vigil/config/config.h"
#include "vigil/demo/access_log_gen.h"
#include "vigil/importer/input_file.h"
#include "vigil/importer/parsers.h"
#include "vigil/ingest/request_parser.h"
#include "vigil/ingest/rollup_builder.h"

namespace {

using vigil::ingest::RequestParser;

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "access_log_bench: wrong result: %s\n", what);
    std::abort();
  }
}

constexpr int64_t kLines = 200'000;
constexpr int64_t kHandOffLines = (1 << 14) - 1;

struct Log {
  std::string bytes;
  std::vector<std::string_view> lines;
};

Log MakeLog(vigil::core::Duration span) {
  Log l;
  {
    char path[] = "/tmp/vigil-access-bench-XXXXXX";
    const int fd = ::mkstemp(path);
    Require(fd >= 0, "temporary file");
    ::close(fd);
    vigil::demo::AccessLogOptions o;
    o.seed = 42;
    o.lines = kLines;
    o.span = span;
    Require(vigil::demo::WriteSampleAccessLog(o, path).ok(), "sample log written");
    std::ifstream in(path, std::ios::binary);
    l.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    std::remove(path);
  }
  std::string_view rest = l.bytes;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    l.lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  Require(std::ssize(l.lines) == kLines, "line count");
  return l;
}

// range(0) of a benchmark: 0 = dense, 1 = sparse.
const Log& SampleLog(int64_t sparse = 0) {
  static const Log dense = MakeLog(vigil::core::Duration::Minutes(90));
  static const Log spread = MakeLog(vigil::core::Duration::Days(3));
  return sparse != 0 ? spread : dense;
}

std::unique_ptr<RequestParser> NginxParser() {
  vigil::importer::ImportOptions options;
  options.log_format = "nginx";
  auto parser = vigil::importer::MakeParser(options, "bench.log", SampleLog().bytes, {});
  Require(parser.ok(), "nginx parser");
  return std::move(parser).value();
}

void BM_SplitLines(benchmark::State& state) {
  const Log& log = SampleLog();
  for (auto _ : state) {
    int64_t lines = 0;
    const char* p = log.bytes.data();
    const char* end = p + log.bytes.size();
    while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
      ++lines;
      p = static_cast<const char*>(nl) + 1;
    }
    Require(lines == kLines, "lines split");
  }
  state.SetBytesProcessed(state.iterations() * std::ssize(log.bytes));
  state.SetItemsProcessed(state.iterations() * kLines);
}
BENCHMARK(BM_SplitLines)->Unit(benchmark::kMillisecond);

void BM_ParseNginx(benchmark::State& state) {
  const Log& log = SampleLog();
  std::unique_ptr<RequestParser> parser = NginxParser();
  vigil::ingest::Request request;
  vigil::ingest::LineIssue issue;
  for (auto _ : state) {
    int64_t requests = 0;
    int64_t latency_sum = 0;
    for (std::string_view line : log.lines) {
      if (parser->Parse(line, &request, &issue) == RequestParser::Outcome::kRequest) {
        ++requests;
        latency_sum += request.latency ? request.latency->us() : 0;
      }
    }
    Require(requests == kLines, "every line is a request");
    benchmark::DoNotOptimize(latency_sum);
  }
  state.SetBytesProcessed(state.iterations() * std::ssize(log.bytes));
  state.SetItemsProcessed(state.iterations() * kLines);
}
BENCHMARK(BM_ParseNginx)->Unit(benchmark::kMillisecond);

void BM_ParseAndBuild(benchmark::State& state) {
  const Log& log = SampleLog(state.range(0));
  std::unique_ptr<RequestParser> parser = NginxParser();
  const vigil::config::Config config;
  vigil::ingest::Request request;
  vigil::ingest::LineIssue issue;
  for (auto _ : state) {
    vigil::ingest::RollupBuilder builder(config, {}, {});
    int64_t counted = 0;
    int64_t n = 0;
    for (std::string_view line : log.lines) {
      if (parser->Parse(line, &request, &issue) == RequestParser::Outcome::kRequest) {
        builder.Add(request);
      }
      if ((++n & kHandOffLines) == 0) {  // as the importer takes completed minutes
        for (const vigil::model::Rollup& r : builder.TakeCompleted()) {
          counted += r.count;
        }
      }
    }
    for (const vigil::model::Rollup& r : builder.TakeAll()) {
      counted += r.count;
    }
    Require(counted == kLines, "every request is counted once");
  }
  state.SetBytesProcessed(state.iterations() * std::ssize(log.bytes));
  state.SetItemsProcessed(state.iterations() * kLines);
}
BENCHMARK(BM_ParseAndBuild)->ArgName("sparse")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The dense log gzipped into a temporary file, removed at exit.
const std::string& GzipPath() {
  static const std::string path = [] {
    char name[] = "/tmp/vigil-access-bench-gz-XXXXXX";
    const int fd = ::mkstemp(name);
    Require(fd >= 0, "temporary file");
    ::close(fd);
    gzFile gz = gzopen(name, "wb6");
    Require(gz != nullptr, "gzopen");
    const std::string& bytes = SampleLog().bytes;
    Require(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())) ==
                static_cast<int>(bytes.size()),
            "gzwrite");
    gzclose(gz);
    std::atexit([] { std::remove(GzipPath().c_str()); });
    return std::string(name);
  }();
  return path;
}

void BM_InflateIsal(benchmark::State& state) {
  const std::string& path = GzipPath();
  std::vector<char> buf(size_t{1} << 20);
  const auto expected = std::ssize(SampleLog().bytes);
  for (auto _ : state) {
    auto file = vigil::importer::InputFile::Open(path);
    Require(file.ok() && (*file)->compressed(), "gzip file opened");
    int64_t total = 0;
    for (;;) {
      auto got = (*file)->Read(buf.data(), buf.size());
      Require(got.ok(), "inflate");
      if (*got == 0) {
        break;
      }
      total += static_cast<int64_t>(*got);
    }
    Require(total == expected, "every byte inflated");
  }
  state.SetBytesProcessed(state.iterations() * expected);
}
BENCHMARK(BM_InflateIsal)->Unit(benchmark::kMillisecond);

void BM_InflateZlib(benchmark::State& state) {
  const std::string& path = GzipPath();
  std::vector<char> buf(size_t{1} << 20);
  const auto expected = std::ssize(SampleLog().bytes);
  for (auto _ : state) {
    gzFile gz = gzopen(path.c_str(), "rb");
    Require(gz != nullptr, "gzopen");
    gzbuffer(gz, 1 << 18);
    int64_t total = 0;
    for (;;) {
      const int got = gzread(gz, buf.data(), static_cast<unsigned>(buf.size()));
      Require(got >= 0, "gzread");
      if (got == 0) {
        break;
      }
      total += got;
    }
    gzclose(gz);
    Require(total == expected, "every byte inflated");
  }
  state.SetBytesProcessed(state.iterations() * expected);
}
BENCHMARK(BM_InflateZlib)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
