// demo: vigil's own deterministic sample data — an nginx access log of a small web shop
// (about 40 route templates with numeric, UUID and long-hex ids, a daily traffic cycle, 5xx
// bursts, heavy-tailed latencies, IPv4/IPv6 clients, escaped user agents, a few junk request
// lines). The README's demo, the tests and the benchmarks use it.
//
// Does not own: parsing (ingest) or anything about the store. Deterministic: the same options
// give the same bytes on every run and machine (own xoshiro256** RNG and own exp/log, no std::
// distributions, no libm). Reads no clock. Functions here are thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/core/time.h"

namespace vigil::demo {

// 2026-11-02T00:00:00Z, a Monday.
inline constexpr core::Timestamp kSampleStart =
    core::Timestamp::FromUnixSeconds(core::DaysFromCivil(2026, 11, 2) * 86'400);

struct AccessLogOptions {
  uint64_t seed = 1;
  int64_t lines = 100'000;  // >= 0
  // Written times lie in [start rounded up to a whole second, start + span); span > 0.
  // Traffic follows a daily cycle (peak ~12–15 h UTC, trough ~4 h) and is lower at weekends.
  core::Timestamp start = kSampleStart;
  core::Duration span = core::Duration::Days(3);
  // Appends " $request_time $upstream_response_time" (nginx combined + latency); false writes
  // plain combined.
  bool request_time = true;
  // The $time_local offset, `±hhmm` (hh < 24, mm < 60): local time is written with this offset;
  // the UTC instant of each line does not change.
  std::string utc_offset = "+0000";
  // If > 0, lines are out of order as nginx's (which stamps at completion): a line's time may
  // be up to this many ms (at second resolution: whole seconds of it) earlier than the previous
  // line's. 0 writes lines in time order.
  double disorder_ms = 0;
};

// One generated line, as the generator knows it: the truth tests and benchmarks check vigil
// against. Views into the line (`target`, `upstream_response_time`, `line`) are valid only
// during the callback; `method` and `route` point to static storage.
struct SampleRequest {
  core::Timestamp time;  // the written instant ($time_local has seconds, so a whole second)
  // "GET", "POST", "PUT", "DELETE"; "" for a junk request line (TLS handshake bytes or an
  // empty request, both status 400).
  std::string_view method;
  // The route template with ids normalised, as vigil's automatic routes should make it:
  // "/api/items/:id" (numeric, UUID and long-hex segments → ":id", query stripped,
  // percent-encoding kept as written). "" for a junk request line.
  std::string_view route;
  // The path and query as written: "/api/items/48213?ref=home". For a junk line, the $request
  // text between the quotes as written (nginx-escaped: "\x16\x03..." or "").
  std::string_view target;
  int status = 0;
  // $request_time in µs: whole milliseconds, as nginx prints 3 decimals (42 ms → "0.042").
  int64_t latency_us = 0;
  int64_t body_bytes = 0;
  // As written: "-" (no upstream: static file, redirect, 429, junk), "0.040", or several
  // attempts "0.001, 0.002"; their sum is <= latency. Empty when request_time is false.
  std::string_view upstream_response_time;
  std::string_view line;  // the whole line as written, without its '\n'
};

// A planned 5xx burst: requests to `route` in [start, end) fail with probability
// `error_ratio` (0.2–0.5) and are slower. A few per day, each 5–20 minutes long.
struct ErrorBurst {
  core::Timestamp start;
  core::Timestamp end;
  std::string_view method;  // static storage
  std::string_view route;   // static storage
  double error_ratio = 0;
};

// Writes the log to `path` ("-" = stdout) in large chunks. If `observe` is set, it is called
// once per line, in file order. Errors: kInvalidArgument for bad options (naming the field);
// kNotFound / kUnavailable / kResourceExhausted when the file cannot be opened or written
// (naming the path); a partly written file is left behind.
Status WriteSampleAccessLog(const AccessLogOptions& options, const std::string& path,
                            const std::function<void(const SampleRequest&)>& observe = {});

// The bursts WriteSampleAccessLog plans for these options (they depend on seed, start and span
// only, not on the number of lines), by start. Errors: as the options checks above.
Result<std::vector<ErrorBurst>> PlanSampleErrorBursts(const AccessLogOptions& options);

}  // namespace vigil::demo
