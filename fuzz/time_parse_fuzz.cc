// Fuzzes the core time parsers with arbitrary bytes: ParseRfc3339, ParseClfTime (bare and
// bracketed) and ParseDuration never crash, and round trips hold where they must:
//  - an RFC 3339 or CLF instant formats (FormatRfc3339) to text that parses back to it, when
//    its UTC year is within 0000..9999 (an offset can push it just outside);
//  - bracketing a CLF stamp changes nothing;
//  - a parsed duration formats (FormatDuration) to text that parses back to it;
//  - the first 8 bytes read as milliseconds do the same for Format* then Parse*.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "vigil/core/check.h"
#include "vigil/core/time.h"

namespace {

using vigil::Result;
using vigil::core::DaysFromCivil;
using vigil::core::Duration;
using vigil::core::Timestamp;

constexpr int64_t kMillisPerDay = 86'400'000;
// [0000-01-01T00:00:00Z, 10000-01-01T00:00:00Z): what FormatRfc3339 writes as ParseRfc3339 reads.
constexpr int64_t kMinFormattable = DaysFromCivil(0, 1, 1) * kMillisPerDay;
constexpr int64_t kEndFormattable = DaysFromCivil(10000, 1, 1) * kMillisPerDay;

void CheckRfc3339RoundTrip(Timestamp t) {
  const std::string text = vigil::core::FormatRfc3339(t);
  if (t.unix_ms() < kMinFormattable || t.unix_ms() >= kEndFormattable) {
    VIGIL_CHECK(!vigil::core::ParseRfc3339(text).ok(), "out-of-range year parsed");
    return;
  }
  Result<Timestamp> back = vigil::core::ParseRfc3339(text);
  VIGIL_CHECK(back.ok(), "FormatRfc3339 output does not parse");
  VIGIL_CHECK(*back == t, "RFC 3339 round trip changed the instant");
}

void CheckDurationRoundTrip(Duration d) {
  Result<Duration> back = vigil::core::ParseDuration(vigil::core::FormatDuration(d));
  VIGIL_CHECK(back.ok(), "FormatDuration output does not parse");
  VIGIL_CHECK(*back == d, "duration round trip changed the value");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  Result<Timestamp> rfc = vigil::core::ParseRfc3339(text);
  if (rfc.ok()) {
    CheckRfc3339RoundTrip(*rfc);
  } else {
    VIGIL_CHECK(!rfc.status().message().empty(), "an error names its reason");
  }

  Result<Timestamp> clf = vigil::core::ParseClfTime(text);
  if (clf.ok()) {
    CheckRfc3339RoundTrip(*clf);
  } else {
    VIGIL_CHECK(!clf.status().message().empty(), "an error names its reason");
  }
  if (text.empty() || (text.front() != '[' && text.back() != ']')) {
    std::string with_brackets = "[";
    with_brackets.append(text);
    with_brackets.push_back(']');
    Result<Timestamp> bracketed = vigil::core::ParseClfTime(with_brackets);
    VIGIL_CHECK(bracketed.ok() == clf.ok(), "brackets changed whether a CLF stamp parses");
    if (clf.ok()) {
      VIGIL_CHECK(*bracketed == *clf, "brackets changed a CLF instant");
    } else {
      VIGIL_CHECK(bracketed.status().message() == clf.status().message(),
                  "brackets changed a CLF error");
    }
  }

  Result<Duration> duration = vigil::core::ParseDuration(text);
  if (duration.ok()) {
    VIGIL_CHECK(duration->ms() >= 0, "a parsed duration is never negative");
    CheckDurationRoundTrip(*duration);
  }

  if (size >= sizeof(int64_t)) {
    int64_t ms = 0;
    std::memcpy(&ms, data, sizeof(ms));
    CheckRfc3339RoundTrip(Timestamp::FromUnixMillis(ms));
    if (ms >= 0) {
      CheckDurationRoundTrip(Duration::Millis(ms));
    } else {
      VIGIL_CHECK(
          !vigil::core::ParseDuration(vigil::core::FormatDuration(Duration::Millis(ms))).ok(),
          "a negative duration's text parses");
    }
  }
  return 0;
}
