// Access-log line parser: nginx and Apache combined/common logs, GoAccess predefined formats
// and GoAccess-style format strings (reference: formats/access-logs.md beside DESIGN.md).
//
// Pure: bytes in, records out. No I/O, no store; the importer reads files, hands lines in and
// reports rejections with file:line. The per-line path allocates nothing (a rejection's reason
// is the one string built, and only for rejected lines).
//
// Thread-safety: an AccessLogFormat is not safe to Parse() from two threads at once (it owns
// a scratch buffer); copies are cheap (the compiled format is shared, immutable) and
// independent, so give each thread its own copy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/core/time.h"

namespace vigil::ingest {

// Longest line Parse() accepts, in bytes, without its newline.
inline constexpr size_t kMaxAccessLogLineBytes = size_t{64} * 1024;

// One parsed access-log line. Views point into the line or the parser's scratch buffer; they
// are valid until the next Parse() call on the same AccessLogFormat object.
struct AccessLogRecord {
  core::Timestamp time;                    // UTC (the line's offset applied)
  std::string_view method;                 // "GET"; empty when the request line is junk
  std::string_view target;                 // path + query as sent, \xHH and \" \\ unescaped
  std::string_view protocol;               // "HTTP/1.1"; empty for HTTP/0.9 or junk
  int status = 0;                          // 100..599 (nginx 444/499 included)
  std::optional<core::LatencyUs> latency;  // no latency field, or "-" → nullopt
  std::string_view vhost;                  // %v when the format has one, else empty
  // The request line is junk: "-", "", TLS bytes (\x16\x03...), no target, or a method that is
  // not an HTTP token (method, target and protocol all empty); or HTTP/0.9 ("GET /" without a
  // protocol: method and target kept, protocol empty). Still a request with its status.
  bool malformed_request = false;
};

// Why a line is not a record.
struct LineRejection {
  // Stable short code: "empty_line", "comment" (a line starting with '#'), "line_too_long",
  // "bad_timestamp", "bad_status", "bad_latency", "missing_field", "unterminated_quote",
  // "format_mismatch".
  std::string_view code;
  // Human reason naming the bad part, e.g. "bad timestamp '31/Foo/2024:25:61:00 +0200':
  // month 'Foo', hour 25, minute 61". Bytes other than printable ASCII appear as \xHH.
  std::string reason;
};

enum class LatencyUnit {
  kNone,          // the format has no latency field
  kSeconds,       // decimal seconds: nginx $request_time, GoAccess %T ("0.042"; integers too)
  kMicros,        // integer microseconds: Apache %D, GoAccess %D
  kMillis,        // integer milliseconds: GoAccess %L
  kNanos,         // integer nanoseconds: GoAccess %n (truncated to µs)
  kWholeSeconds,  // integer seconds: Apache %T (the server truncates)
};

// A compiled access-log format, and the parser of its lines.
class AccessLogFormat {
 public:
  // `spec` is one of:
  //  - "nginx": combined (`$remote_addr - $remote_user [$time_local] "$request" $status
  //    $body_bytes_sent "$http_referer" "$http_user_agent"`), then optionally any quoted fields
  //    (e.g. "$http_x_forwarded_for" of nginx's `main`), then optionally $request_time
  //    (decimal seconds, or "-"); further tokens ($upstream_response_time lists...) ignored.
  //  - "apache": common or combined, then optionally quoted fields, then optionally %D
  //    (integer µs, or "-"); further tokens ignored.
  //  - a GoAccess predefined name, any case: COMBINED, VCOMBINED, COMMON, VCOMMON, W3C,
  //    CLOUDFRONT, CLOUDSTORAGE, AWSELB, AWSALB, AWSS3, SQUID, TRAEFIKCLF (CADDY is JSON: not
  //    supported here). Non-empty date/time/datetime formats override the name's own.
  //  - a GoAccess format string (access-logs.md §3; "\t" means a tab) with strftime-subset
  //    date_format / time_format for %d / %t (default "%d/%b/%Y" and "%H:%M:%S") and
  //    datetime_format for %x (default "%d/%b/%Y:%H:%M:%S %z"); the directives are listed in
  //    log_time_format.h (%d %e %m %b %Y %y %H %M %S %z %s %f %* %T ... no locale).
  //    A stamp without %z is UTC, except that a `%^` field right after `%t ` (or `%x `), as in
  //    `[%d:%t %^]`, is applied as the offset when it reads ±hhmm (GoAccess skips it; vigil
  //    never assumes the collector's zone). The format must have %s, a full timestamp (%x, or
  //    %d and %t, or an epoch), and %r or %U (with %m %q %H: target = %U?%q). The first of
  //    %T %D %L %n is the latency. Text after the last field is ignored, as in GoAccess.
  // Lines starting with '#' (W3C directives) are rejected with code "comment".
  // Errors: kInvalidArgument naming the bad spec, directive or missing field; "auto" is not a
  // format (use Detect).
  static Result<AccessLogFormat> Create(std::string_view spec, std::string_view date_format = {},
                                        std::string_view time_format = {},
                                        std::string_view datetime_format = {});

  // `--log-format auto`: decides from the first lines of a file (empty lines skipped; at most
  // 100 non-empty lines used; line numbers in errors count every element of sample_lines,
  // from 1). Tries the combined/common family (with or without a `vhost:port` first field)
  // and classifies what follows the combined fields; see the rules in access_log.cc. Errors,
  // all kInvalidArgument: no line given; no format fits (names the line and why); a trailing
  // field that is not a latency; an ambiguous latency (integers that may be Apache %D µs or
  // %T seconds) — the message says which --log-format to pass.
  static Result<AccessLogFormat> Detect(std::span<const std::string_view> sample_lines);

  // E.g. "nginx combined + $request_time", "apache combined + %D", "COMBINED (no latency)",
  // or the format string with its date/time formats.
  std::string Describe() const;
  LatencyUnit latency_unit() const;

  // Parses one line without its newline (a trailing '\r' is dropped). true: *out is filled.
  // false: *rejection is filled and *out is unspecified. Never both, never neither.
  bool Parse(std::string_view line, AccessLogRecord* out, LineRejection* rejection);

  struct Program;  // Internal: the compiled format, defined in access_log.cc.
  // The last CLF stamp's minute ("10/Oct/2000:13:55" + " -0700"), so lines of the same minute
  // parse only their seconds.
  struct MinuteCache {
    std::array<char, 23> key{};
    bool valid = false;
    int64_t minute_ms = 0;
  };
  // Where one line's '"' and '\\' bytes are, one bit per byte, built in one vector pass.
  class QuoteIndex {
   public:
    void Build(std::string_view line);
    // The first '"' or '\\' at or after `from`, or npos.
    size_t Next(size_t from) const;

   private:
    std::vector<uint64_t> bits_;
    size_t size_ = 0;
  };

 private:
  explicit AccessLogFormat(std::shared_ptr<const Program> program);

  std::shared_ptr<const Program> program_;
  std::string scratch_;  // Unescaped targets; sized once to kMaxAccessLogLineBytes.
  MinuteCache minute_cache_;
  QuoteIndex quotes_;
};

}  // namespace vigil::ingest
