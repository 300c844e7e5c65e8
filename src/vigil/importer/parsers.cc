#include "vigil/importer/parsers.h"

#include <vector>

#include "vigil/ingest/access_log.h"
#include "vigil/ingest/events.h"

namespace vigil::importer {
namespace {

constexpr size_t kDetectLines = 100;

// Adapts an access-log format to the RequestParser interface.
class AccessLogParser final : public ingest::RequestParser {
 public:
  explicit AccessLogParser(ingest::AccessLogFormat format) : format_(std::move(format)) {}

  Outcome Parse(std::string_view line, ingest::Request* out, ingest::LineIssue* issue) override {
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    size_t blank = 0;  // a byte loop: find_first_not_of calls memchr per byte
    while (blank < line.size() && (line[blank] == ' ' || line[blank] == '\t')) {
      ++blank;
    }
    if (blank == line.size()) {
      return Outcome::kSkip;
    }
    ingest::AccessLogRecord& rec = record_;
    if (!format_.Parse(line, &rec, &rejection_)) {
      issue->code = rejection_.code;
      issue->reason = std::move(rejection_.reason);
      return Outcome::kReject;
    }
    out->time = rec.time;
    out->service = rec.vhost;
    out->environment = {};
    out->method = rec.method;
    out->target = rec.target;
    out->route = {};
    out->version = {};
    out->status = rec.status;
    out->latency = rec.latency;
    out->malformed_request = rec.malformed_request;
    if (rec.malformed_request) {
      issue->code = "malformed_request";
      issue->reason = "junk request line, counted under the 'invalid request' route";
    }
    return Outcome::kRequest;
  }

  std::string Describe() const override { return format_.Describe(); }

 private:
  ingest::AccessLogFormat format_;
  ingest::AccessLogRecord record_;   // reused for every line
  ingest::LineRejection rejection_;  // likewise
};

// The first complete, non-blank lines of `prefix`.
std::vector<std::string_view> SampleLines(std::string_view prefix) {
  std::vector<std::string_view> lines;
  while (lines.size() < kDetectLines) {
    size_t nl = prefix.find('\n');
    if (nl == std::string_view::npos) {
      // The last line counts only when it is the whole rest of a short file.
      if (!prefix.empty() && lines.empty()) {
        lines.push_back(prefix);
      }
      break;
    }
    std::string_view line = prefix.substr(0, nl);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t") != std::string_view::npos) {
      lines.push_back(line);
    }
    prefix.remove_prefix(nl + 1);
  }
  return lines;
}

}  // namespace

Result<std::unique_ptr<ingest::RequestParser>> MakeParser(
    const ImportOptions& options, const std::string& path, std::string_view prefix,
    const std::function<void(const std::string&)>& notice) {
  if (options.kind == InputKind::kAccessLog) {
    if (options.log_format.empty() || options.log_format == "auto") {
      std::vector<std::string_view> lines = SampleLines(prefix);
      Result<ingest::AccessLogFormat> detected = ingest::AccessLogFormat::Detect(lines);
      if (!detected.ok()) {
        return detected.status().WithPrefix(path + ": --log-format auto");
      }
      if (notice) {
        notice(path + ": --log-format auto chose " + detected->Describe());
      }
      return std::unique_ptr<ingest::RequestParser>(
          std::make_unique<AccessLogParser>(std::move(detected).value()));
    }
    VIGIL_ASSIGN_OR_RETURN(
        ingest::AccessLogFormat format,
        ingest::AccessLogFormat::Create(options.log_format, options.date_format,
                                        options.time_format, options.datetime_format));
    return std::unique_ptr<ingest::RequestParser>(
        std::make_unique<AccessLogParser>(std::move(format)));
  }
  std::string format = options.input_format;
  if (format.empty() || format == "auto") {
    format = std::string(ingest::DetectEventFormat(path, prefix));
    if (format.empty()) {
      return InvalidArgumentError(path +
                                  ": --input-format auto: cannot tell NDJSON from CSV (empty "
                                  "file); pass --input-format ndjson or csv");
    }
    if (notice) {
      notice(path + ": --input-format auto chose " + format);
    }
  }
  if (format == "ndjson") {
    return ingest::MakeNdjsonEventParser();
  }
  if (format == "csv") {
    std::unique_ptr<ingest::RequestParser> parser = ingest::MakeCsvEventParser();
    // The header names the columns even when the import resumes mid-file; reading it again at
    // the start of the file is a skip.
    std::vector<std::string_view> first = SampleLines(prefix);
    if (!first.empty()) {
      ingest::Request ignored;
      ingest::LineIssue issue;
      (void)parser->Parse(first.front(), &ignored, &issue);
    }
    return parser;
  }
  return InvalidArgumentError("--input-format '" + format + "': expected auto, ndjson or csv");
}

}  // namespace vigil::importer
