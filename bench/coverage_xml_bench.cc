// Cobertura and JaCoCo parser kernels (coverage_xml.cc) on generated ~200 MB reports: a
// gcovr-like pretty-printed Cobertura document (packages = directories, one class per file,
// ~15% branch lines with their <conditions>) and a JaCoCo one (one line, as JaCoCo writes it,
// with class/method counters and a <sourcefile> per file). Also the pugixml load alone, to
// show how much of the time is the DOM. Fixed seed; the totals are checked before timing and
// cheaply inside the loop (STYLE §7). Counters: bytes/s, the document's size, and the first
// parse's wall time and peak RSS growth (the DOM, its copy of the bytes, the result). Run each
// parser in its own process (--benchmark_filter) for a cold first parse.
//
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIL_BUILD_BENCH=ON
//   cmake --build build-bench --target coverage_xml_bench
//   build-bench/bench/coverage_xml_bench --benchmark_repetitions=5
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <benchmark/benchmark.h>
#include <pugixml.hpp>
#include <sys/resource.h>

#include "vigil/ingest/coverage.h"

namespace {

using vigil::ingest::ParseCobertura;
using vigil::ingest::ParsedCoverage;
using vigil::ingest::ParseJacoco;

constexpr size_t kTargetBytes = 200u << 20;

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "coverage_xml_bench: wrong result: %s\n", what);
    std::abort();
  }
}

double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// A generated report and the totals a correct parser must find in it.
struct Generated {
  std::string xml;
  int64_t files = 0;
  int64_t lines_found = 0;
  int64_t lines_hit = 0;
  int64_t branches_found = 0;
  int64_t branches_hit = 0;
};

struct Totals {
  int64_t lines_found = 0;
  int64_t lines_hit = 0;
  int64_t branches_found = 0;
  int64_t branches_hit = 0;
};

Totals Sum(const ParsedCoverage& c) {
  Totals t;
  for (const auto& f : c.files) {
    t.lines_found += f.lines_found;
    t.lines_hit += f.lines_hit;
    t.branches_found += f.branches_found.value_or(0);
    t.branches_hit += f.branches_hit.value_or(0);
  }
  return t;
}

void CheckTotals(const ParsedCoverage& c, const Generated& g) {
  Require(static_cast<int64_t>(c.files.size()) == g.files, "file count");
  Require(c.issues.empty(), "no issues");
  const Totals t = Sum(c);
  Require(t.lines_found == g.lines_found, "lines found");
  Require(t.lines_hit == g.lines_hit, "lines hit");
  Require(t.branches_found == g.branches_found, "branches found");
  Require(t.branches_hit == g.branches_hit, "branches hit");
}

// gcovr 5.2 --xml-pretty layout: 2-space indentation, every line with branch="…", branch lines
// with condition-coverage and one <condition> per line, line numbers increasing with gaps.
const Generated& CoberturaReport() {
  static const Generated g = [] {
    Generated out;
    std::mt19937_64 rng(20240611);
    std::string& x = out.xml;
    x.reserve(kTargetBytes + (1 << 20));
    x += "<?xml version='1.0' encoding='UTF-8'?>\n"
         "<!DOCTYPE coverage SYSTEM 'http://cobertura.sourceforge.net/xml/coverage-04.dtd'>\n"
         "<coverage line-rate=\"0.5\" function-rate=\"0.5\" branch-rate=\"0.5\" "
         "lines-covered=\"1\" lines-valid=\"2\" functions-covered=\"1\" functions-valid=\"2\" "
         "branches-covered=\"1\" branches-valid=\"2\" complexity=\"0.0\" "
         "timestamp=\"1718027736\" version=\"gcovr 5.2\">\n"
         "  <sources>\n    <source>/home/ci/build</source>\n  </sources>\n  <packages>\n";
    int package = 0;
    while (x.size() < kTargetBytes) {
      const std::string dir = "src/module" + std::to_string(package);
      x += "    <package name=\"" + dir +
           "\" line-rate=\"0.5\" branch-rate=\"0.5\" "
           "complexity=\"0.0\">\n      <classes>\n";
      for (int file = 0; file < 40 && x.size() < kTargetBytes; ++file) {
        const std::string name = "file" + std::to_string(file);
        x += "        <class name=\"" + name + "_cc\" filename=\"" + dir + "/" + name +
             ".cc\" line-rate=\"0.5\" branch-rate=\"0.5\" complexity=\"0.0\">\n"
             "          <methods/>\n          <lines>\n";
        ++out.files;
        uint32_t line = 0;
        const int lines = 200 + static_cast<int>(rng() % 1200);
        for (int i = 0; i < lines; ++i) {
          line += 1 + static_cast<uint32_t>(rng() % 3);
          const uint64_t r = rng();
          const uint64_t hits = r % 4 == 0 ? 0 : (r >> 8) % 5000;
          ++out.lines_found;
          out.lines_hit += hits > 0 ? 1 : 0;
          x += "            <line number=\"" + std::to_string(line) + "\" hits=\"" +
               std::to_string(hits) + "\" branch=\"";
          if ((r >> 24) % 100 < 15) {
            const uint32_t total = 2 * (1 + static_cast<uint32_t>((r >> 32) % 3));
            const uint32_t covered = hits == 0 ? 0 : static_cast<uint32_t>((r >> 40) % (total + 1));
            out.branches_found += total;
            out.branches_hit += covered;
            const std::string pct = std::to_string(100 * covered / total) + "%";
            x += "true\" condition-coverage=\"" + pct + " (" + std::to_string(covered) + "/" +
                 std::to_string(total) +
                 ")\">\n              <conditions>\n"
                 "                <condition number=\"0\" type=\"jump\" coverage=\"" +
                 pct + "\"/>\n              </conditions>\n            </line>\n";
          } else {
            x += "false\"/>\n";
          }
        }
        x += "          </lines>\n        </class>\n";
      }
      x += "      </classes>\n    </package>\n";
      ++package;
    }
    x += "  </packages>\n</coverage>\n";
    return out;
  }();
  return g;
}

// JaCoCo 0.8 layout on one line: per package, <class> elements with <method> counters, then a
// <sourcefile> per file with its <line nr mi ci mb cb> and counters; sessioninfo first.
const Generated& JacocoReport() {
  static const Generated g = [] {
    Generated out;
    std::mt19937_64 rng(20240612);
    std::string& x = out.xml;
    x.reserve(kTargetBytes + (1 << 20));
    x += "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><!DOCTYPE report PUBLIC "
         "\"-//JACOCO//DTD Report 1.1//EN\" \"report.dtd\"><report name=\"bench\">"
         "<sessioninfo id=\"ci\" start=\"1718027700000\" dump=\"1718027736000\"/>";
    int package = 0;
    while (x.size() < kTargetBytes) {
      const std::string pkg = "com/acme/module" + std::to_string(package);
      x += "<package name=\"" + pkg + "\">";
      std::string sourcefiles;
      for (int file = 0; file < 40 && x.size() + sourcefiles.size() < kTargetBytes; ++file) {
        const std::string cls = "Type" + std::to_string(file);
        x += "<class name=\"" + pkg + "/" + cls + "\" sourcefilename=\"" + cls + ".java\">";
        for (int m = 0; m < 8; ++m) {
          x += "<method name=\"m" + std::to_string(m) + "\" desc=\"()V\" line=\"" +
               std::to_string(10 + m * 20) +
               "\"><counter type=\"INSTRUCTION\" missed=\"3\" covered=\"9\"/>"
               "<counter type=\"LINE\" missed=\"1\" covered=\"4\"/>"
               "<counter type=\"COMPLEXITY\" missed=\"0\" covered=\"1\"/>"
               "<counter type=\"METHOD\" missed=\"0\" covered=\"1\"/></method>";
        }
        x += "<counter type=\"LINE\" missed=\"8\" covered=\"32\"/></class>";
        ++out.files;
        sourcefiles += "<sourcefile name=\"" + cls + ".java\">";
        uint32_t line = 0;
        int64_t missed_lines = 0;
        int64_t covered_lines = 0;
        int64_t mb_sum = 0;
        int64_t cb_sum = 0;
        const int lines = 200 + static_cast<int>(rng() % 1200);
        for (int i = 0; i < lines; ++i) {
          line += 1 + static_cast<uint32_t>(rng() % 3);
          const uint64_t r = rng();
          const uint64_t ci = r % 4 == 0 ? 0 : (r >> 8) % 12;
          const uint64_t mi = ci == 0 ? 1 + (r >> 16) % 6 : (r >> 16) % 3;
          uint64_t mb = 0;
          uint64_t cb = 0;
          if ((r >> 24) % 100 < 15) {
            const uint64_t total = 2 * (1 + (r >> 32) % 3);
            cb = ci == 0 ? 0 : (r >> 40) % (total + 1);
            mb = total - cb;
          }
          (ci > 0 ? covered_lines : missed_lines) += 1;
          mb_sum += static_cast<int64_t>(mb);
          cb_sum += static_cast<int64_t>(cb);
          sourcefiles += "<line nr=\"" + std::to_string(line) + "\" mi=\"" + std::to_string(mi) +
                         "\" ci=\"" + std::to_string(ci) + "\" mb=\"" + std::to_string(mb) +
                         "\" cb=\"" + std::to_string(cb) + "\"/>";
        }
        sourcefiles += "<counter type=\"INSTRUCTION\" missed=\"100\" covered=\"100\"/>";
        if (mb_sum + cb_sum > 0) {
          sourcefiles += "<counter type=\"BRANCH\" missed=\"" + std::to_string(mb_sum) +
                         "\" covered=\"" + std::to_string(cb_sum) + "\"/>";
        }
        sourcefiles += "<counter type=\"LINE\" missed=\"" + std::to_string(missed_lines) +
                       "\" covered=\"" + std::to_string(covered_lines) +
                       "\"/><counter type=\"CLASS\" missed=\"0\" covered=\"1\"/></sourcefile>";
        out.lines_found += missed_lines + covered_lines;
        out.lines_hit += covered_lines;
        out.branches_found += mb_sum + cb_sum;
        out.branches_hit += cb_sum;
      }
      x += sourcefiles;
      x += "<counter type=\"LINE\" missed=\"1\" covered=\"1\"/></package>";
      ++package;
    }
    x += "<counter type=\"LINE\" missed=\"1\" covered=\"1\"/></report>";
    return out;
  }();
  return g;
}

// Peak RSS just before and just after the first parse of a document (ru_maxrss only grows,
// so the difference is what that parse needed at its peak beyond what the process had).
// The first parse is also timed on its own: in a fresh process every page of the DOM is
// faulted in, while the timed loop reuses memory the allocator kept from earlier parses.
struct FirstRun {
  double before_mib = 0;
  double after_mib = 0;
  double ms = 0;
};

template <typename Parse>
FirstRun FirstParse(const Generated& g, Parse parse) {
  FirstRun m;
  m.before_mib = PeakRssMiB();
  const auto start = std::chrono::steady_clock::now();
  vigil::Result<ParsedCoverage> first = parse(g.xml);
  m.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  m.after_mib = PeakRssMiB();
  Require(first.ok(), "parses");
  CheckTotals(*first, g);
  return m;
}

void Report(benchmark::State& state, const Generated& g, const FirstRun& m) {
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(g.xml.size()));
  state.counters["input_MiB"] = static_cast<double>(g.xml.size()) / (1 << 20);
  state.counters["first_parse_peak_extra_MiB"] = m.after_mib - m.before_mib;
  state.counters["first_parse_ms"] = m.ms;
}

void BM_ParseCobertura(benchmark::State& state) {
  const Generated& g = CoberturaReport();
  static const FirstRun first = FirstParse(g, ParseCobertura);
  for (auto _ : state) {
    vigil::Result<ParsedCoverage> r = ParseCobertura(g.xml);
    Require(r.ok() && static_cast<int64_t>(r->files.size()) == g.files, "files");
    benchmark::DoNotOptimize(r);
  }
  Report(state, g, first);
}
BENCHMARK(BM_ParseCobertura)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_ParseJacoco(benchmark::State& state) {
  const Generated& g = JacocoReport();
  static const FirstRun first = FirstParse(g, ParseJacoco);
  for (auto _ : state) {
    vigil::Result<ParsedCoverage> r = ParseJacoco(g.xml);
    Require(r.ok() && static_cast<int64_t>(r->files.size()) == g.files, "files");
    benchmark::DoNotOptimize(r);
  }
  Report(state, g, first);
}
BENCHMARK(BM_ParseJacoco)->Unit(benchmark::kMillisecond)->MinTime(3.0);

// The DOM load alone: the floor under both kernels, and the choice of options measured.
// Arg 0: parse_minimal; 1: parse_escapes | parse_cdata (what the parsers use: a filename may
// hold "&amp;"); 2: parse_default (adds end-of-line and attribute whitespace normalisation).
// Arg 3: the parsers' options through load_buffer_inplace on our own copy (the input is a
// const view, so in-place parsing needs a copy all the same). Run alone, every iteration
// faults its DOM in afresh (glibc returns the freed heap); after the parser kernels, the heap
// is kept and reused — compare options within one run.
void BM_PugixmlLoadCobertura(benchmark::State& state) {
  const Generated& g = CoberturaReport();
  constexpr unsigned kOptions[] = {pugi::parse_minimal, pugi::parse_escapes | pugi::parse_cdata,
                                   pugi::parse_default, pugi::parse_escapes | pugi::parse_cdata};
  const auto arg = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    std::string copy;  // outlives `doc`, which points into it
    pugi::xml_document doc;
    pugi::xml_parse_result r;
    if (arg == 3) {
      copy = g.xml;
      r = doc.load_buffer_inplace(copy.data(), copy.size(), kOptions[arg], pugi::encoding_utf8);
    } else {
      r = doc.load_buffer(g.xml.data(), g.xml.size(), kOptions[arg], pugi::encoding_utf8);
    }
    Require(static_cast<bool>(r), "loads");
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(g.xml.size()));
}
BENCHMARK(BM_PugixmlLoadCobertura)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();
