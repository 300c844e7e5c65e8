// Format names, detection and dispatch for the coverage parsers (coverage.h). The parsers
// themselves are in coverage_lcov.cc, coverage_go.cc and coverage_xml.cc.
#include "vigil/ingest/coverage.h"

namespace vigil::ingest {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view SkipSpace(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) {
    ++i;
  }
  return s.substr(i);
}

// The name of the first element of an XML prefix, skipping the declaration, comments,
// processing instructions and a DOCTYPE (without an internal subset holding '>').
std::string_view XmlRootName(std::string_view s) {
  while (true) {
    s = SkipSpace(s);
    if (s.empty() || s[0] != '<') {
      return {};
    }
    size_t end = 0;
    size_t terminator = 1;
    if (s.starts_with("<?")) {
      end = s.find("?>");
      terminator = 2;
    } else if (s.starts_with("<!--")) {
      end = s.find("-->");
      terminator = 3;
    } else if (s.starts_with("<!")) {
      end = s.find('>');
    } else {
      size_t i = 1;
      while (i < s.size() && !IsSpace(s[i]) && s[i] != '>' && s[i] != '/') {
        ++i;
      }
      return s.substr(1, i - 1);
    }
    if (end == std::string_view::npos) {
      return {};
    }
    s = s.substr(end + terminator);
  }
}

bool IsLcovRecordLine(std::string_view s) {
  for (std::string_view key : {"TN:", "SF:", "VER:"}) {
    if (s.starts_with(key)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view CoverageFormatName(CoverageFormat format) {
  switch (format) {
    case CoverageFormat::kLcov:
      return "lcov";
    case CoverageFormat::kCobertura:
      return "cobertura";
    case CoverageFormat::kJacoco:
      return "jacoco";
    case CoverageFormat::kGo:
      return "go";
  }
  return "unknown";
}

std::optional<CoverageFormat> ParseCoverageFormatName(std::string_view name) {
  for (CoverageFormat f : {CoverageFormat::kLcov, CoverageFormat::kCobertura,
                           CoverageFormat::kJacoco, CoverageFormat::kGo}) {
    if (CoverageFormatName(f) == name) {
      return f;
    }
  }
  return std::nullopt;
}

std::optional<CoverageFormat> DetectCoverageFormat(std::string_view prefix) {
  if (prefix.starts_with(kBom)) {
    prefix.remove_prefix(kBom.size());
  }
  prefix = SkipSpace(prefix);
  if (prefix.starts_with("mode:")) {
    return CoverageFormat::kGo;
  }
  if (prefix.starts_with("<")) {
    std::string_view root = XmlRootName(prefix);
    if (root == "coverage") {
      return CoverageFormat::kCobertura;
    }
    if (root == "report") {
      return CoverageFormat::kJacoco;
    }
    return std::nullopt;
  }
  // LCOV: comment lines first (lcov --comment), then a record key.
  while (prefix.starts_with("#")) {
    size_t nl = prefix.find('\n');
    if (nl == std::string_view::npos) {
      return std::nullopt;
    }
    prefix = SkipSpace(prefix.substr(nl + 1));
  }
  if (IsLcovRecordLine(prefix)) {
    return CoverageFormat::kLcov;
  }
  return std::nullopt;
}

Result<ParsedCoverage> ParseCoverage(CoverageFormat format, std::string_view content) {
  switch (format) {
    case CoverageFormat::kLcov:
      return ParseLcov(content);
    case CoverageFormat::kCobertura:
      return ParseCobertura(content);
    case CoverageFormat::kJacoco:
      return ParseJacoco(content);
    case CoverageFormat::kGo:
      return ParseGoCoverprofile(content);
  }
  return InvalidArgumentError("unknown coverage format");
}

}  // namespace vigil::ingest
