#include "vigil/demo/access_log_gen.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <system_error>
#include <unistd.h>
#include <utility>

#include "vigil/core/check.h"

namespace vigil::demo {
namespace {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60'000;
constexpr int64_t kMsPerHour = 3'600'000;
constexpr int64_t kMsPerDay = 86'400'000;
// 9999-12-31T00:00:00Z: $time_local has four year digits, whatever the offset.
constexpr int64_t kEndOfYear9999Ms = core::DaysFromCivil(9999, 12, 31) * kMsPerDay;
constexpr int64_t kMaxSpanMs = 36'500 * kMsPerDay;

constexpr size_t kBufferBytes = size_t{4} << 20;
// No line comes near this (the longest user agent is ~140 bytes, the longest target ~130).
constexpr size_t kMaxLineBytes = 2048;

// ---------------------------------------------------------------------------------------------
// Randomness and the few transcendental functions we need, written with exact IEEE operations
// only (+ - * /, sqrt, floor, frexp, ldexp), so a seed gives the same bytes with any libm.

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

constexpr double kLn2 = 0.69314718055994530942;

// Natural log for finite x > 0, ~1e-15 relative: x = m·2^e, ln m = 2·atanh((m−1)/(m+1)).
double Ln(double x) {
  int e = 0;
  double m = std::frexp(x, &e);
  if (m < 0.70710678118654752440) {
    m *= 2;
    --e;
  }
  const double s = (m - 1) / (m + 1);
  const double s2 = s * s;
  double sum = 1.0 / 17;
  for (int k = 15; k >= 1; k -= 2) {
    sum = sum * s2 + 1.0 / k;
  }
  return e * kLn2 + 2 * s * sum;
}

// e^x, ~1e-15 relative for |x| < 700: x = k·ln2 + r, e^r by its Taylor series.
double Exp(double x) {
  if (x < -700) {
    return 0;
  }
  x = std::min(x, 700.0);
  const double k = std::floor(x / kLn2 + 0.5);
  const double r = x - k * kLn2;
  double p = 1;
  for (int n = 15; n >= 1; --n) {
    p = 1 + p * r / n;
  }
  return std::ldexp(p, static_cast<int>(k));
}

// xoshiro256** seeded through splitmix64; one independent stream per purpose, so the bursts
// and the client pool do not move when the number of lines changes.
class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream) {
    uint64_t x = seed;
    const uint64_t mixed = SplitMix64(x) ^ (stream * 0xD1B54A32D192ED03ULL);
    x = mixed;
    for (uint64_t& word : s_) {
      word = SplitMix64(x);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // (0, 1].
  double UniformPositive() { return static_cast<double>((Next() >> 11) + 1) * 0x1.0p-53; }
  // [0, n), n > 0.
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(((Next() >> 32) * n) >> 32); }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal (Marsaglia's polar method).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    for (;;) {
      const double u = 2 * Uniform() - 1;
      const double v = 2 * Uniform() - 1;
      const double s = u * u + v * v;
      if (s > 0 && s < 1) {
        const double f = std::sqrt(-2 * Ln(s) / s);
        spare_ = v * f;
        has_spare_ = true;
        return u * f;
      }
    }
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4] = {};
  double spare_ = 0;
  bool has_spare_ = false;
};

enum Stream : uint64_t { kIntensityStream = 1, kBurstStream, kClientStream, kLineStream };

// ---------------------------------------------------------------------------------------------
// The shop: route templates, ordered by popularity (weight ∝ 1/rank^1.1).
//
// Placeholders in `pattern`: {n} numeric id (1..id_max, low ids popular), {u} UUID v4,
// {h} 32 hex digits, {s} 40 hex digits (a commit). `route` is the pattern with each
// placeholder as ":id"; no literal segment is all digits or all hex, so normalising the target
// gives back `route` exactly.

enum class Kind : uint8_t {
  kRead,      // GET one resource: 200, 304, 404
  kList,      // GET a collection or search: 200, 400
  kCreate,    // POST: 201, 400
  kAction,    // POST: 200, 400
  kUpdate,    // PUT: 200, 400, 404
  kDelete,    // DELETE: 204, 404
  kBeacon,    // POST analytics: 204
  kPage,      // HTML from the app: 200, 304
  kStatic,    // a file served by nginx: 200, 304, 404; no upstream
  kHealth,    // internal probes: 200
  kRedirect,  // nginx `return 301`; no upstream
  kScanner,   // vulnerability probes: 404 from nginx; no upstream
};

enum class Query : uint8_t {
  kNone,
  kRef,       // sometimes ?ref=... or utm parameters
  kSearch,    // ?q=<term>[&page=n], some terms percent-encoded
  kPaging,    // sometimes ?limit=..&offset=..
  kCategory,  // sometimes ?category=..&sort=..
  kReviews,   // ?item=<id>&page=n
  kVersion,   // sometimes ?v=<8 hex> (cache busting)
  kExport,    // ?format=csv&from=2026-10-01
  kNext,      // sometimes ?next=%2F...
};

enum class Who : uint8_t { kPublic, kLoadBalancer, kPrometheus, kScanner, kAdmin };

struct RouteSpec {
  std::string_view method;
  std::string_view pattern;
  std::string_view route;
  Kind kind;
  Query query;
  Who who;
  int32_t id_max;    // for {n}
  double median_ms;  // lognormal body of the latency
  double sigma;
  double tail_ratio;  // share of requests from the Pareto tail
  int32_t bytes;      // median body bytes of a success (exact for static files)
  bool auth;          // may answer 401
};

// clang-format off
constexpr RouteSpec kRoutes[] = {
  // method  pattern / route                               kind             query            who                 id_max    median sigma tail  bytes   auth
  {"GET",    "/api/items/{n}", "/api/items/:id",            Kind::kRead,     Query::kRef,      Who::kPublic,       250000,   14,    0.55, 0.01,  2400,   false},
  {"GET",    "/static/app.js", "/static/app.js",            Kind::kStatic,   Query::kVersion,  Who::kPublic,       0,        0.35,  0.9,  0.004, 183412, false},
  {"GET",    "/api/search", "/api/search",                  Kind::kList,     Query::kSearch,   Who::kPublic,       0,        85,    0.75, 0.03,  9800,   false},
  {"GET",    "/healthz", "/healthz",                        Kind::kHealth,   Query::kNone,     Who::kLoadBalancer, 0,        0.25,  0.6,  0.001, 2,      false},
  {"GET",    "/api/items", "/api/items",                    Kind::kList,     Query::kCategory, Who::kPublic,       0,        32,    0.6,  0.015, 14200,  false},
  {"GET",    "/static/style.css", "/static/style.css",      Kind::kStatic,   Query::kVersion,  Who::kPublic,       0,        0.3,   0.9,  0.004, 48211,  false},
  {"GET",    "/api/users/{n}", "/api/users/:id",            Kind::kRead,     Query::kNone,     Who::kPublic,       80000,    9,     0.5,  0.01,  860,    true},
  {"GET",    "/api/users/{n}/orders", "/api/users/:id/orders", Kind::kList,  Query::kPaging,   Who::kPublic,       80000,    41,    0.65, 0.02,  5200,   true},
  {"GET",    "/", "/",                                      Kind::kPage,     Query::kRef,      Who::kPublic,       0,        22,    0.5,  0.01,  31800,  false},
  {"GET",    "/api/carts/{u}", "/api/carts/:id",            Kind::kRead,     Query::kNone,     Who::kPublic,       0,        11,    0.5,  0.01,  1300,   false},
  {"PUT",    "/api/carts/{u}", "/api/carts/:id",            Kind::kUpdate,   Query::kNone,     Who::kPublic,       0,        23,    0.55, 0.015, 1350,   false},
  {"POST",   "/api/events", "/api/events",                  Kind::kBeacon,   Query::kNone,     Who::kPublic,       0,        3,     0.7,  0.005, 0,      false},
  {"GET",    "/api/recommendations/{n}", "/api/recommendations/:id", Kind::kRead, Query::kNone, Who::kPublic,     250000,   120,   0.7,  0.04,  3100,   false},
  {"GET",    "/api/blobs/{h}", "/api/blobs/:id",            Kind::kRead,     Query::kNone,     Who::kPublic,       0,        6,     1.0,  0.02,  52000,  false},
  {"GET",    "/static/img/logo.svg", "/static/img/logo.svg", Kind::kStatic,  Query::kNone,     Who::kPublic,       0,        0.2,   0.8,  0.002, 5120,   false},
  {"POST",   "/api/checkout", "/api/checkout",              Kind::kCreate,   Query::kNone,     Who::kPublic,       0,        240,   0.6,  0.05,  620,    true},
  {"GET",    "/api/orders/{n}", "/api/orders/:id",          Kind::kRead,     Query::kNone,     Who::kPublic,       9000000,  17,    0.5,  0.01,  1900,   true},
  {"POST",   "/api/auth/login", "/api/auth/login",          Kind::kAction,   Query::kNext,     Who::kPublic,       0,        95,    0.4,  0.01,  410,    true},
  {"GET",    "/api/users/{n}/orders/{n}", "/api/users/:id/orders/:id", Kind::kRead, Query::kNone, Who::kPublic,  80000,    21,    0.5,  0.01,  2100,   true},
  {"POST",   "/api/auth/refresh", "/api/auth/refresh",      Kind::kAction,   Query::kNone,     Who::kPublic,       0,        7,     0.4,  0.005, 380,    true},
  {"GET",    "/favicon.ico", "/favicon.ico",                Kind::kStatic,   Query::kNone,     Who::kPublic,       0,        0.15,  0.7,  0.001, 15086,  false},
  {"DELETE", "/api/carts/{u}/items/{n}", "/api/carts/:id/items/:id", Kind::kDelete, Query::kNone, Who::kPublic,   250000,   19,    0.5,  0.01,  0,      false},
  {"GET",    "/api/inventory/{n}/stock", "/api/inventory/:id/stock", Kind::kRead, Query::kNone, Who::kPublic,     250000,   4,     0.8,  0.01,  96,     false},
  {"PUT",    "/api/users/{n}/preferences", "/api/users/:id/preferences", Kind::kUpdate, Query::kNone, Who::kPublic, 80000, 15,    0.5,  0.01,  240,    true},
  {"GET",    "/api/reviews", "/api/reviews",                Kind::kList,     Query::kReviews,  Who::kPublic,       250000,   38,    0.6,  0.02,  7400,   false},
  {"GET",    "/api/shipping/quotes", "/api/shipping/quotes", Kind::kList,    Query::kNone,     Who::kPublic,       0,        310,   0.5,  0.06,  880,    false},
  {"POST",   "/api/payments/{u}/capture", "/api/payments/:id/capture", Kind::kAction, Query::kNone, Who::kPublic,  0,        450,   0.5,  0.05,  330,    true},
  {"GET",    "/api/builds/{s}/artifacts", "/api/builds/:id/artifacts", Kind::kList, Query::kNone, Who::kPublic,    0,        28,    0.6,  0.02,  4100,   true},
  {"GET",    "/docs/Getting%20Started", "/docs/Getting%20Started", Kind::kPage, Query::kNone,  Who::kPublic,       0,        5,     0.5,  0.01,  18300,  false},
  {"GET",    "/wiki/Caf%C3%A9", "/wiki/Caf%C3%A9",          Kind::kPage,     Query::kNone,     Who::kPublic,       0,        6,     0.5,  0.01,  22100,  false},
  {"GET",    "/shop/{n}", "/shop/:id",                      Kind::kRedirect, Query::kNone,     Who::kPublic,       250000,   0,     0,    0,     169,    false},
  {"GET",    "/api/v2/catalog/categories", "/api/v2/catalog/categories", Kind::kList, Query::kNone, Who::kPublic,  0,        12,    0.4,  0.01,  3300,   false},
  {"DELETE", "/api/sessions/{h}", "/api/sessions/:id",      Kind::kDelete,   Query::kNone,     Who::kPublic,       0,        5,     0.4,  0.005, 0,      true},
  {"GET",    "/metrics", "/metrics",                        Kind::kHealth,   Query::kNone,     Who::kPrometheus,   0,        2,     0.3,  0.001, 48700,  false},
  {"POST",   "/api/uploads", "/api/uploads",                Kind::kCreate,   Query::kNone,     Who::kPublic,       0,        900,   0.8,  0.08,  290,    true},
  {"PUT",    "/api/items/{n}", "/api/items/:id",            Kind::kUpdate,   Query::kNone,     Who::kAdmin,        250000,   31,    0.5,  0.02,  2450,   true},
  {"GET",    "/wp-login.php", "/wp-login.php",              Kind::kScanner,  Query::kNone,     Who::kScanner,      0,        0,     0,    0,     153,    false},
  {"GET",    "/.env", "/.env",                              Kind::kScanner,  Query::kNone,     Who::kScanner,      0,        0,     0,    0,     153,    false},
  {"GET",    "/api/reports/export", "/api/reports/export",  Kind::kList,     Query::kExport,   Who::kAdmin,        0,        2100,  0.7,  0.1,   880000, true},
  {"DELETE", "/api/items/{n}", "/api/items/:id",            Kind::kDelete,   Query::kNone,     Who::kAdmin,        250000,   26,    0.5,  0.01,  0,      true},
  {"GET",    "/api/admin/audit-log", "/api/admin/audit-log", Kind::kList,    Query::kPaging,   Who::kAdmin,        0,        160,   0.6,  0.05,  64000,  true},
};
// clang-format on
constexpr size_t kRouteCount = std::size(kRoutes);
static_assert(kRouteCount <= 255, "the route picker stores indexes in uint8_t");

// Bursts hit one of the busiest API routes, so they show in a minute's counts.
constexpr size_t kBurstableRoutes = 8;

bool IsApi(Kind kind) {
  return kind != Kind::kStatic && kind != Kind::kHealth && kind != Kind::kRedirect &&
         kind != Kind::kScanner && kind != Kind::kPage;
}
bool HasUpstream(Kind kind) {
  return kind != Kind::kStatic && kind != Kind::kRedirect && kind != Kind::kScanner;
}

// Browsers first; `browser` decides whether a referer is sent. Raw bytes: nginx-escaped at
// start-up (the quoted one becomes \x22, the UTF-8 é becomes \xC3\xA9).
struct AgentSpec {
  std::string_view text;
  bool browser;
};
constexpr AgentSpec kAgents[] = {
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/130.0.0.0 Safari/537.36",
     true},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
     true},
    {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/130.0.6723.102 Mobile Safari/537.36",
     true},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Safari/605.1.15",
     true},
    {"Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0", true},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
     true},
    {"ShopApp/4.12.1 (iOS 18.1; iPhone15,2)", false},
    {"ShopApp/4.12.0 (Android 14; Caf\xC3\xA9 Edition)", false},
    {"okhttp/4.12.0", false},
    {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", false},
    {"python-requests/2.32.3", false},
    {"\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\"", true},
    {"curl/8.5.0", false},
    {"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", false},
    {"Go-http-client/1.1", false},
};
constexpr std::string_view kLoadBalancerAgent = "ELB-HealthChecker/2.0";
constexpr std::string_view kPrometheusAgent = "Prometheus/2.55.1";
constexpr std::string_view kScannerAgents[] = {"Mozilla/5.0 zgrab/0.x", "-",
                                               "Mozilla/5.0 (compatible; Nmap Scripting Engine)"};

constexpr std::string_view kReferers[] = {
    "https://shop.example.com/",
    "https://shop.example.com/items/48213",
    "https://www.google.com/",
    "https://shop.example.com/cart",
    "https://shop.example.com/search?q=red+shoes",
    "https://www.bing.com/",
    "https://shop.example.com/account/orders",
};

constexpr std::string_view kRefQueries[] = {"?ref=home", "?ref=search", "?ref=email",
                                            "?utm_source=newsletter&utm_medium=email", "?ref=recs"};
constexpr std::string_view kSearchTerms[] = {
    "shoes",   "red%20shoes",  "caf%C3%A9",          "usb-c+cable", "50%25+off",
    "t-shirt", "laptop+stand", "%E6%97%A5%E6%9C%AC", "gift+card",   "running%2Fshoes",
};
constexpr std::string_view kCategories[] = {"shoes", "books", "garden", "electronics", "toys"};
constexpr std::string_view kSorts[] = {"price", "-price", "rating", "new"};
constexpr std::string_view kNextPaths[] = {"?next=%2Fcheckout", "?next=%2Faccount%2Forders"};

constexpr unsigned char kTlsHello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01,
                                       0x00, 0x01, 0xFC, 0x03, 0x03};
constexpr double kJunkRatio = 0.0001;

// Relative traffic at each UTC hour (linear in between); weekends run at 70%.
constexpr double kHourlyProfile[24] = {0.35, 0.28, 0.22, 0.18, 0.17, 0.20, 0.30, 0.45,
                                       0.65, 0.80, 0.90, 0.95, 1.00, 1.00, 0.98, 0.95,
                                       0.92, 0.88, 0.85, 0.82, 0.75, 0.65, 0.55, 0.45};

constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// nginx's default log escaping: ", \, bytes < 0x20, 0x7F and >= 0x80 become \xHH.
std::string NginxEscape(std::string_view raw) {
  std::string out;
  for (const char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7F) {
      out += "\\x";
      out += kHexUpper[c >> 4];
      out += kHexUpper[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && (a < 0) != (b < 0)) {
    --q;
  }
  return q;
}
int64_t FloorToSecond(int64_t ms) {
  return FloorDiv(ms, kMsPerSecond) * kMsPerSecond;
}
int64_t CeilToSecond(int64_t ms) {
  return -FloorToSecond(-ms);
}

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};
// Howard Hinnant's civil_from_days, the inverse of core::DaysFromCivil.
CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// ---------------------------------------------------------------------------------------------
// The plan: what the options fix before any line is written.

struct PlannedBurst {
  ErrorBurst burst;
  size_t route = 0;
};

struct Plan {
  int64_t first_ms = 0;  // start rounded up to a whole second
  int64_t end_ms = 0;    // exclusive
  int64_t offset_ms = 0;
  std::string offset_text;
  int64_t disorder_ms = 0;
  // Traffic intensity: buckets of bucket_ms from first_ms, cumulative weight (size + 1) and
  // each bucket's load relative to the busiest (0..1].
  int64_t bucket_ms = kMsPerMinute;
  std::vector<double> cumulative;
  std::vector<double> load;
  std::vector<PlannedBurst> bursts;  // by start
};

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

Result<int64_t> ParseUtcOffset(std::string_view text) {
  if (text.size() != 5 || (text[0] != '+' && text[0] != '-') || !IsDigit(text[1]) ||
      !IsDigit(text[2]) || !IsDigit(text[3]) || !IsDigit(text[4])) {
    return InvalidArgumentError("utc_offset: want ±hhmm, got \"" + std::string(text) + "\"");
  }
  const int hours = (text[1] - '0') * 10 + (text[2] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours >= 24 || minutes >= 60) {
    return InvalidArgumentError("utc_offset: out of range: \"" + std::string(text) + "\"");
  }
  const int64_t ms = hours * kMsPerHour + minutes * kMsPerMinute;
  return text[0] == '-' ? -ms : ms;
}

double HourlyIntensity(int64_t utc_ms) {
  const int64_t day = FloorDiv(utc_ms, kMsPerDay);
  const int64_t in_day = utc_ms - day * kMsPerDay;
  const int64_t hour = in_day / kMsPerHour;
  const double frac = static_cast<double>(in_day - hour * kMsPerHour) / kMsPerHour;
  const double a = kHourlyProfile[hour];
  const double b = kHourlyProfile[(hour + 1) % 24];
  const int64_t weekday = ((day + 3) % 7 + 7) % 7;  // 1970-01-01 was a Thursday; Monday = 0.
  return (a + (b - a) * frac) * (weekday >= 5 ? 0.7 : 1.0);
}

Result<Plan> MakePlan(const AccessLogOptions& options) {
  if (options.lines < 0) {
    return InvalidArgumentError("lines: must be >= 0, got " + std::to_string(options.lines));
  }
  if (options.span.ms() <= 0 || options.span.ms() > kMaxSpanMs) {
    return InvalidArgumentError("span: must be > 0 and at most 36500 days, got " +
                                std::to_string(options.span.ms()) + " ms");
  }
  if (options.start.unix_ms() < 0 ||
      options.start.unix_ms() > kEndOfYear9999Ms - options.span.ms()) {
    return InvalidArgumentError("start: [start, start + span) must lie in years 1970..9999");
  }
  if (!(options.disorder_ms >= 0 && options.disorder_ms <= static_cast<double>(kMaxSpanMs))) {
    return InvalidArgumentError("disorder_ms: must be >= 0 and finite");
  }
  Plan plan;
  plan.first_ms = CeilToSecond(options.start.unix_ms());
  plan.end_ms = options.start.unix_ms() + options.span.ms();
  if (plan.first_ms >= plan.end_ms) {
    return InvalidArgumentError("span: [start, start + span) holds no whole second");
  }
  VIGIL_ASSIGN_OR_RETURN(plan.offset_ms, ParseUtcOffset(options.utc_offset));
  plan.offset_text = options.utc_offset;
  plan.disorder_ms = static_cast<int64_t>(options.disorder_ms);

  // Intensity: one bucket per minute (coarser for spans over ~2 years), ±10% noise each.
  const int64_t total_ms = plan.end_ms - plan.first_ms;
  plan.bucket_ms = std::max(kMsPerMinute, (total_ms + (int64_t{1} << 20) - 1) >> 20);
  const int64_t buckets = (total_ms + plan.bucket_ms - 1) / plan.bucket_ms;
  plan.cumulative.resize(static_cast<size_t>(buckets) + 1);
  plan.load.resize(static_cast<size_t>(buckets));
  Rng noise(options.seed, kIntensityStream);
  double max_rate = 0;
  for (int64_t b = 0; b < buckets; ++b) {
    const int64_t t0 = plan.first_ms + b * plan.bucket_ms;
    const int64_t len = std::min(plan.bucket_ms, plan.end_ms - t0);
    const double rate = HourlyIntensity(t0 + len / 2) * (0.9 + 0.2 * noise.Uniform());
    const auto i = static_cast<size_t>(b);
    plan.load[i] = rate;
    plan.cumulative[i + 1] = plan.cumulative[i] + rate * static_cast<double>(len);
    max_rate = std::max(max_rate, rate);
  }
  for (double& load : plan.load) {
    load /= max_rate;
  }

  // Bursts: 2–4 per UTC day, 5–20 minutes, on one of the busiest API routes.
  std::vector<size_t> burstable;
  for (size_t r = 0; r < kRouteCount && burstable.size() < kBurstableRoutes; ++r) {
    if (IsApi(kRoutes[r].kind)) {
      burstable.push_back(r);
    }
  }
  Rng rng(options.seed, kBurstStream);
  for (int64_t day = FloorDiv(plan.first_ms, kMsPerDay) * kMsPerDay; day < plan.end_ms;
       day += kMsPerDay) {
    const uint32_t count = 2 + rng.Below(3);
    for (uint32_t k = 0; k < count; ++k) {
      const int64_t start = day + rng.Below(86'400) * kMsPerSecond;
      const int64_t end = start + (5 + rng.Below(16)) * kMsPerMinute;
      const size_t route = burstable[rng.Below(static_cast<uint32_t>(burstable.size()))];
      const double ratio = 0.2 + 0.3 * rng.Uniform();
      if (start < plan.end_ms && end > plan.first_ms) {
        plan.bursts.push_back(PlannedBurst{
            ErrorBurst{core::Timestamp::FromUnixMillis(start), core::Timestamp::FromUnixMillis(end),
                       kRoutes[route].method, kRoutes[route].route, ratio},
            route});
      }
    }
  }
  std::stable_sort(
      plan.bursts.begin(), plan.bursts.end(),
      [](const PlannedBurst& a, const PlannedBurst& b) { return a.burst.start < b.burst.start; });
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers: each writes at p and returns the new end. The buffer always has
// kMaxLineBytes free when a line starts.

char* Put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

char* PutUint(char* p, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) {
    *p++ = tmp[--n];
  }
  return p;
}

// Milliseconds as nginx prints $request_time: seconds with 3 decimals.
char* PutSeconds3(char* p, int64_t ms) {
  p = PutUint(p, static_cast<uint64_t>(ms / 1000));
  const auto frac = static_cast<unsigned>(ms % 1000);
  p[0] = '.';
  p[1] = static_cast<char>('0' + frac / 100);
  p[2] = static_cast<char>('0' + frac / 10 % 10);
  p[3] = static_cast<char>('0' + frac % 10);
  return p + 4;
}

char* PutHex(char* p, uint64_t v, int digits) {
  for (int i = 0; i < digits; ++i) {
    p[i] = kHexLower[(v >> (60 - 4 * i)) & 15];
  }
  return p + digits;
}

char* Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// ---------------------------------------------------------------------------------------------

enum class PartKind : uint8_t { kLiteral, kNumeric, kUuid, kHex32, kHex40 };
struct Part {
  PartKind kind = PartKind::kLiteral;
  std::string_view literal;
};
struct CompiledRoute {
  std::array<Part, 8> parts;
  size_t part_count = 0;
};

CompiledRoute Compile(std::string_view pattern) {
  CompiledRoute out;
  size_t i = 0;
  while (i < pattern.size()) {
    const size_t brace = pattern.find('{', i);
    const size_t literal_end = brace == std::string_view::npos ? pattern.size() : brace;
    if (literal_end > i) {
      out.parts[out.part_count++] = Part{PartKind::kLiteral, pattern.substr(i, literal_end - i)};
    }
    if (brace == std::string_view::npos) {
      break;
    }
    VIGIL_CHECK(brace + 2 < pattern.size() && pattern[brace + 2] == '}', "bad route pattern");
    PartKind kind = PartKind::kNumeric;
    switch (pattern[brace + 1]) {
      case 'n':
        kind = PartKind::kNumeric;
        break;
      case 'u':
        kind = PartKind::kUuid;
        break;
      case 'h':
        kind = PartKind::kHex32;
        break;
      case 's':
        kind = PartKind::kHex40;
        break;
      default:
        VIGIL_CHECK(false, "bad route placeholder");
    }
    out.parts[out.part_count++] = Part{kind, {}};
    i = brace + 3;
  }
  return out;
}

struct Client {
  uint32_t ip_offset = 0;
  uint8_t ip_size = 0;
  uint8_t agent = 0;
};

class Writer {
 public:
  Writer(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  Status Flush(const char* data, size_t size) {
    while (size > 0) {
      const ssize_t n = ::write(fd_, data, size);
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        const int err = errno;
        const std::string message = path_ + ": write: " + std::generic_category().message(err);
        return err == ENOSPC || err == EDQUOT || err == EFBIG ? ResourceExhaustedError(message)
                                                              : UnavailableError(message);
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
    return OkStatus();
  }

 private:
  int fd_;
  std::string path_;
};

class Generator {
 public:
  Generator(const AccessLogOptions& options, Plan plan)
      : options_(options), plan_(std::move(plan)), rng_(options.seed, kLineStream) {
    for (size_t r = 0; r < kRouteCount; ++r) {
      compiled_[r] = Compile(kRoutes[r].pattern);
    }
    BuildRoutePicker();
    for (const AgentSpec& agent : kAgents) {
      agents_.push_back(NginxEscape(agent.text));
    }
    for (const std::string_view agent : kScannerAgents) {
      scanner_agents_.push_back(NginxEscape(agent));
    }
    tls_request_ = NginxEscape(
        std::string_view(reinterpret_cast<const char*>(kTlsHello), std::size(kTlsHello)));
    BuildClients(options.seed);
  }

  Status Run(Writer& writer, const std::function<void(const SampleRequest&)>& observe) {
    auto buffer = std::make_unique<char[]>(kBufferBytes);
    char* const begin = buffer.get();
    char* p = begin;
    const int64_t lines = options_.lines;
    const double step = lines > 0 ? plan_.cumulative.back() / static_cast<double>(lines) : 0.0;
    const size_t buckets = plan_.load.size();
    size_t bucket = 0;
    size_t first_live_burst = 0;
    int64_t previous_ms = plan_.first_ms;
    SampleRequest request;
    for (int64_t i = 0; i < lines; ++i) {
      // The exact instant: stratified over the cumulative intensity, so lines are in order
      // and exactly `lines` of them fall in the span.
      const double u = (static_cast<double>(i) + rng_.Uniform()) * step;
      while (bucket + 1 < buckets && plan_.cumulative[bucket + 1] <= u) {
        ++bucket;
      }
      const int64_t t0 = plan_.first_ms + static_cast<int64_t>(bucket) * plan_.bucket_ms;
      const int64_t len = std::min(plan_.bucket_ms, plan_.end_ms - t0);
      const double lo = plan_.cumulative[bucket];
      const double hi = plan_.cumulative[bucket + 1];
      const double frac = (u - lo) / (hi - lo);
      const int64_t base_ms =
          std::clamp(t0 + static_cast<int64_t>(frac * static_cast<double>(len)), t0, t0 + len - 1);
      int64_t written_ms = FloorToSecond(base_ms);
      if (plan_.disorder_ms > 0) {
        const double d = rng_.Uniform();
        const int64_t stamped = std::max(
            plan_.first_ms,
            base_ms - static_cast<int64_t>(d * d * static_cast<double>(plan_.disorder_ms)));
        written_ms =
            std::max(FloorToSecond(stamped), CeilToSecond(previous_ms - plan_.disorder_ms));
      }
      previous_ms = written_ms;
      // No written time is below base_ms - disorder - 1 s: bursts ending before that are done.
      while (first_live_burst < plan_.bursts.size() &&
             plan_.bursts[first_live_burst].burst.end.unix_ms() <=
                 base_ms - plan_.disorder_ms - kMsPerSecond) {
        ++first_live_burst;
      }

      char* const line = p;
      if (rng_.Chance(kJunkRatio)) {
        p = WriteJunk(p, written_ms, request);
      } else {
        const size_t route = route_picker_[rng_.Next() >> 48];
        double burst_ratio = 0;
        for (size_t b = first_live_burst;
             b < plan_.bursts.size() && plan_.bursts[b].burst.start.unix_ms() <= written_ms; ++b) {
          const PlannedBurst& burst = plan_.bursts[b];
          if (burst.route == route && written_ms < burst.burst.end.unix_ms()) {
            burst_ratio = std::max(burst_ratio, burst.burst.error_ratio);
          }
        }
        p = WriteRequest(p, written_ms, route, burst_ratio, plan_.load[bucket], request);
      }
      VIGIL_DCHECK(static_cast<size_t>(p - line) < kMaxLineBytes);
      request.time = core::Timestamp::FromUnixMillis(written_ms);
      request.line = std::string_view(line, static_cast<size_t>(p - line));
      *p++ = '\n';
      if (observe) {
        observe(request);
      }
      if (static_cast<size_t>(p - begin) > kBufferBytes - kMaxLineBytes) {
        VIGIL_RETURN_IF_ERROR(writer.Flush(begin, static_cast<size_t>(p - begin)));
        p = begin;
      }
    }
    return writer.Flush(begin, static_cast<size_t>(p - begin));
  }

 private:
  void BuildRoutePicker() {
    double weights[kRouteCount];
    double total = 0;
    for (size_t r = 0; r < kRouteCount; ++r) {
      // 1/rank^1.1 = e^(−1.1·ln rank)
      weights[r] = Exp(-1.1 * Ln(static_cast<double>(r + 1)));
      total += weights[r];
    }
    size_t r = 0;
    double cumulative = weights[0] / total;
    for (size_t slot = 0; slot < route_picker_.size(); ++slot) {
      const double at =
          (static_cast<double>(slot) + 0.5) / static_cast<double>(route_picker_.size());
      while (at >= cumulative && r + 1 < kRouteCount) {
        ++r;
        cumulative += weights[r] / total;
      }
      route_picker_[slot] = static_cast<uint8_t>(r);
    }
  }

  // A pool of 4096 clients (85% IPv4, 15% IPv6), each with its own user agent; a few clients
  // send most of the traffic.
  void BuildClients(uint64_t seed) {
    Rng rng(seed, kClientStream);
    clients_.resize(4096);
    for (Client& client : clients_) {
      char ip[48];
      char* p = ip;
      if (rng.Chance(0.85)) {
        uint32_t first = 0;
        do {
          first = 1 + rng.Below(223);
        } while (first == 10 || first == 127 || first == 100 || first == 169 || first == 172 ||
                 first == 192);
        p = PutUint(p, first);
        for (int k = 0; k < 3; ++k) {
          *p++ = '.';
          p = PutUint(p, rng.Below(256));
        }
      } else {
        // 2a02:8108:<4 groups> or 2600:1700:<2 groups>::<1 group>; groups are non-zero, so
        // the text is already in the canonical form nginx prints.
        const bool short_form = rng.Chance(0.3);
        p = Put(p, short_form ? "2600:1700" : "2a02:8108");
        for (int k = 0; k < (short_form ? 2 : 6); ++k) {
          *p++ = ':';
          p = PutHexGroup(p, 1 + rng.Below(0xFFFF));
        }
        if (short_form) {
          p = Put(p, "::");
          p = PutHexGroup(p, 1 + rng.Below(0xFFFF));
        }
      }
      client.ip_offset = static_cast<uint32_t>(ip_pool_.size());
      client.ip_size = static_cast<uint8_t>(p - ip);
      ip_pool_.append(ip, static_cast<size_t>(p - ip));
      // Browsers dominate: pick an agent with weight 1/(k+1).
      const double pick = rng.Uniform();
      size_t agent = 0;
      double acc = 0;
      double norm = 0;
      for (size_t k = 0; k < std::size(kAgents); ++k) {
        norm += 1.0 / static_cast<double>(k + 1);
      }
      for (size_t k = 0; k < std::size(kAgents); ++k) {
        acc += 1.0 / static_cast<double>(k + 1) / norm;
        agent = k;
        if (pick < acc) {
          break;
        }
      }
      client.agent = static_cast<uint8_t>(agent);
    }
  }

  static char* PutHexGroup(char* p, uint32_t v) {
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const uint32_t nibble = (v >> shift) & 15;
      if (nibble != 0 || started || shift == 0) {
        *p++ = kHexLower[nibble];
        started = true;
      }
    }
    return p;
  }

  std::string_view ClientIp(const Client& client) const {
    return std::string_view(ip_pool_).substr(client.ip_offset, client.ip_size);
  }

  const Client& PickClient() {
    const double u = rng_.Uniform();
    return clients_[static_cast<size_t>(u * u * static_cast<double>(clients_.size()))];
  }

  // `[dd/Mon/yyyy:HH:MM:SS ±hhmm]`, formatted once per second.
  char* PutTime(char* p, int64_t utc_ms) {
    const int64_t local_s = FloorDiv(utc_ms + plan_.offset_ms, kMsPerSecond);
    if (local_s != cached_second_) {
      cached_second_ = local_s;
      const int64_t days = FloorDiv(local_s, 86'400);
      const auto in_day = static_cast<unsigned>(local_s - days * 86'400);
      const CivilDate date = CivilFromDays(days);
      char* q = cached_time_.data();
      *q++ = '[';
      q = Put2(q, date.day);
      *q++ = '/';
      q = Put(q, kMonths[date.month - 1]);
      *q++ = '/';
      const auto year = static_cast<unsigned>(date.year);
      q = Put2(q, year / 100);
      q = Put2(q, year % 100);
      *q++ = ':';
      q = Put2(q, in_day / 3600);
      *q++ = ':';
      q = Put2(q, in_day / 60 % 60);
      *q++ = ':';
      q = Put2(q, in_day % 60);
      *q++ = ' ';
      q = Put(q, plan_.offset_text);
      *q++ = ']';
    }
    return Put(p, std::string_view(cached_time_.data(), cached_time_.size()));
  }

  char* PutId(char* p, PartKind kind, int32_t id_max) {
    switch (kind) {
      case PartKind::kLiteral:
        break;
      case PartKind::kNumeric: {
        const double u = rng_.Uniform();
        return PutUint(p, 1 + static_cast<uint64_t>(u * u * static_cast<double>(id_max)));
      }
      case PartKind::kUuid: {
        // Version 4, variant 10xx.
        const uint64_t hi = (rng_.Next() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
        const uint64_t lo = (rng_.Next() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
        p = PutHex(p, hi, 8);
        *p++ = '-';
        p = PutHex(p, hi << 32, 4);
        *p++ = '-';
        p = PutHex(p, hi << 48, 4);
        *p++ = '-';
        p = PutHex(p, lo, 4);
        *p++ = '-';
        return PutHex(p, lo << 16, 12);
      }
      case PartKind::kHex32:
        p = PutHex(p, rng_.Next(), 16);
        return PutHex(p, rng_.Next(), 16);
      case PartKind::kHex40:
        p = PutHex(p, rng_.Next(), 16);
        p = PutHex(p, rng_.Next(), 16);
        return PutHex(p, rng_.Next(), 8);
    }
    return p;
  }

  template <size_t N>
  std::string_view Pick(const std::string_view (&choices)[N]) {
    return choices[rng_.Below(static_cast<uint32_t>(N))];
  }

  char* PutQuery(char* p, const RouteSpec& spec) {
    switch (spec.query) {
      case Query::kNone:
        break;
      case Query::kRef:
        if (rng_.Chance(0.25)) {
          p = Put(p, Pick(kRefQueries));
        }
        break;
      case Query::kSearch:
        p = Put(p, "?q=");
        p = Put(p, Pick(kSearchTerms));
        if (rng_.Chance(0.4)) {
          p = Put(p, "&page=");
          p = PutUint(p, 2 + rng_.Below(5));
        }
        break;
      case Query::kPaging:
        if (rng_.Chance(0.5)) {
          const uint32_t limit = rng_.Chance(0.7) ? 20 : 50;
          p = Put(p, "?limit=");
          p = PutUint(p, limit);
          p = Put(p, "&offset=");
          p = PutUint(p, static_cast<uint64_t>(limit) * rng_.Below(10));
        }
        break;
      case Query::kCategory:
        if (rng_.Chance(0.6)) {
          p = Put(p, "?category=");
          p = Put(p, Pick(kCategories));
          if (rng_.Chance(0.5)) {
            p = Put(p, "&sort=");
            p = Put(p, Pick(kSorts));
          }
        }
        break;
      case Query::kReviews:
        p = Put(p, "?item=");
        p = PutId(p, PartKind::kNumeric, spec.id_max);
        if (rng_.Chance(0.3)) {
          p = Put(p, "&page=");
          p = PutUint(p, 2 + rng_.Below(8));
        }
        break;
      case Query::kVersion:
        if (rng_.Chance(0.5)) {
          p = Put(p, "?v=");
          p = PutHex(p, (1 + rng_.Below(4)) * 0x9E3779B97F4A7C15ULL, 8);  // 4 releases
        }
        break;
      case Query::kExport:
        p = Put(p,
                rng_.Chance(0.7) ? "?format=csv&from=2026-10-01" : "?format=json&from=2026-09-01");
        break;
      case Query::kNext:
        if (rng_.Chance(0.3)) {
          p = Put(p, Pick(kNextPaths));
        }
        break;
    }
    return p;
  }

  int PickStatus(const RouteSpec& spec, double burst_ratio) {
    if (burst_ratio > 0 && rng_.Chance(burst_ratio)) {
      const double v = rng_.Uniform();
      return v < 0.45 ? 500 : v < 0.70 ? 502 : v < 0.90 ? 503 : 504;
    }
    if (HasUpstream(spec.kind) && rng_.Chance(0.001)) {
      const double v = rng_.Uniform();
      return v < 0.5 ? 500 : v < 0.7 ? 502 : v < 0.9 ? 503 : 504;
    }
    const double v = rng_.Uniform();
    double acc = 0;
    const auto take = [&](double p) {
      acc += p;
      return v < acc;
    };
    if (IsApi(spec.kind)) {
      if (spec.auth && take(0.004)) {
        return 401;
      }
      if (take(0.002)) {
        return 429;
      }
    }
    switch (spec.kind) {
      case Kind::kRead:
        return take(0.015) ? 404 : take(0.03) ? 304 : 200;
      case Kind::kList:
        return take(0.005) ? 400 : 200;
      case Kind::kCreate:
        return take(0.03) ? 400 : 201;
      case Kind::kAction:
        return take(0.02) ? 400 : 200;
      case Kind::kUpdate:
        return take(0.02) ? 400 : take(0.01) ? 404 : 200;
      case Kind::kDelete:
        return take(0.02) ? 404 : 204;
      case Kind::kBeacon:
        return 204;
      case Kind::kPage:
        return take(0.15) ? 304 : 200;
      case Kind::kStatic:
        return take(0.005) ? 404 : take(0.3) ? 304 : 200;
      case Kind::kHealth:
        return 200;
      case Kind::kRedirect:
        return 301;
      case Kind::kScanner:
        return 404;
    }
    return 200;
  }

  // Latency in whole ms; may turn `status` into a 504 when the upstream times out at 30 s.
  int64_t PickLatencyMs(const RouteSpec& spec, int& status, bool in_burst, double load) {
    switch (status) {
      case 301:
        return 0;
      case 429:
        return rng_.Chance(0.2) ? 1 : 0;
      case 502:
        return rng_.Below(5);
      case 503:
        return rng_.Below(3);
      case 504:
        return 30'000 + rng_.Below(8);
      default:
        break;
    }
    if (spec.kind == Kind::kScanner || (status == 404 && spec.kind == Kind::kStatic)) {
      return rng_.Below(2);
    }
    double ms = spec.median_ms * Exp(spec.sigma * rng_.Normal());
    if (rng_.Chance(spec.tail_ratio)) {
      // Pareto tail (α = 1.3) above 3× the median.
      ms = spec.median_ms * 3 * Exp(-Ln(rng_.UniformPositive()) / 1.3);
    }
    ms *= 0.85 + 0.3 * load;  // busier hours are a little slower
    if (in_burst) {
      ms *= 3;
    }
    switch (status) {
      case 304:
        ms *= 0.5;
        break;
      case 400:
      case 401:
        ms *= 0.2;
        break;
      case 404:
        ms *= 0.4;
        break;
      case 500:
        ms *= 1.5;
        break;
      default:
        break;
    }
    if (ms >= 30'000) {
      if (HasUpstream(spec.kind)) {
        status = 504;  // proxy_read_timeout 30s
        return 30'000 + rng_.Below(8);
      }
      ms = 29'999;
    }
    return static_cast<int64_t>(ms);
  }

  int64_t PickBodyBytes(const RouteSpec& spec, int status) {
    switch (status) {
      case 200:
      case 201:
        if (spec.kind == Kind::kStatic || spec.kind == Kind::kHealth) {
          return spec.kind == Kind::kHealth && spec.bytes > 100 ? spec.bytes + rng_.Below(400)
                                                                : spec.bytes;
        }
        return std::max<int64_t>(2, static_cast<int64_t>(spec.bytes * Exp(0.35 * rng_.Normal())));
      case 204:
      case 304:
        return 0;
      case 301:
        return 169;
      case 400:
        return 67;
      case 401:
        return 45;
      case 404:
        return IsApi(spec.kind) ? 58 : 153;
      case 429:
        return 169;
      case 500:
        return 72;
      case 502:
        return 157;
      case 503:
        return 197;
      case 504:
        return 167;
      default:
        return 0;
    }
  }

  char* PutAddressAndTime(char* p, std::string_view ip, std::string_view user, int64_t ms) {
    p = Put(p, ip);
    p = Put(p, " - ");
    p = Put(p, user);
    *p++ = ' ';
    return PutTime(p, ms);
  }

  char* WriteRequest(char* p, int64_t written_ms, size_t route, double burst_ratio, double load,
                     SampleRequest& request) {
    const RouteSpec& spec = kRoutes[route];
    std::string_view ip;
    std::string_view agent;
    std::string_view user = "-";
    std::string_view referer = "-";
    std::string_view protocol = "HTTP/1.1";
    switch (spec.who) {
      case Who::kPublic:
      case Who::kAdmin: {
        const Client& client = PickClient();
        ip = ClientIp(client);
        agent = agents_[client.agent];
        if (kAgents[client.agent].browser) {
          if (rng_.Chance(0.7)) {
            referer = Pick(kReferers);
          }
          if (rng_.Chance(0.6)) {
            protocol = "HTTP/2.0";
          }
        }
        if (spec.who == Who::kAdmin) {
          user = rng_.Chance(0.7) ? "ops-admin" : "jdoe";
        }
        break;
      }
      case Who::kLoadBalancer:
        ip = rng_.Chance(0.5) ? "10.0.0.2" : "10.0.1.2";
        agent = kLoadBalancerAgent;
        break;
      case Who::kPrometheus:
        ip = "10.0.3.15";
        agent = kPrometheusAgent;
        break;
      case Who::kScanner:
        ip = ClientIp(clients_[rng_.Below(static_cast<uint32_t>(clients_.size()))]);
        agent = scanner_agents_[rng_.Below(static_cast<uint32_t>(scanner_agents_.size()))];
        if (rng_.Chance(0.3)) {
          protocol = "HTTP/1.0";
        }
        break;
    }

    p = PutAddressAndTime(p, ip, user, written_ms);
    p = Put(p, " \"");
    p = Put(p, spec.method);
    *p++ = ' ';
    char* const target = p;
    const CompiledRoute& compiled = compiled_[route];
    for (size_t k = 0; k < compiled.part_count; ++k) {
      const Part& part = compiled.parts[k];
      p = part.kind == PartKind::kLiteral ? Put(p, part.literal) : PutId(p, part.kind, spec.id_max);
    }
    p = PutQuery(p, spec);
    request.target = std::string_view(target, static_cast<size_t>(p - target));
    *p++ = ' ';
    p = Put(p, protocol);
    p = Put(p, "\" ");

    int status = PickStatus(spec, burst_ratio);
    const int64_t latency_ms = PickLatencyMs(spec, status, burst_ratio > 0, load);
    const int64_t bytes = PickBodyBytes(spec, status);
    p = PutUint(p, static_cast<uint64_t>(status));
    *p++ = ' ';
    p = PutUint(p, static_cast<uint64_t>(bytes));
    p = Put(p, " \"");
    p = Put(p, referer);
    p = Put(p, "\" \"");
    p = Put(p, agent);
    *p++ = '"';
    request.upstream_response_time = {};
    if (options_.request_time) {
      *p++ = ' ';
      p = PutSeconds3(p, latency_ms);
      *p++ = ' ';
      char* const upstream = p;
      if (!HasUpstream(spec.kind) || status == 429) {
        *p++ = '-';
      } else if (status == 502 && rng_.Chance(0.3)) {
        // proxy_next_upstream: two attempts, both refused.
        const auto first =
            static_cast<int64_t>(rng_.Below(static_cast<uint32_t>(latency_ms / 2 + 1)));
        const auto second =
            static_cast<int64_t>(rng_.Below(static_cast<uint32_t>(latency_ms - first + 1)));
        p = PutSeconds3(p, first);
        p = Put(p, ", ");
        p = PutSeconds3(p, second);
      } else {
        const auto overhead = static_cast<int64_t>(
            rng_.Below(static_cast<uint32_t>(std::min<int64_t>(latency_ms, 2) + 1)));
        p = PutSeconds3(p, latency_ms - overhead);
      }
      request.upstream_response_time =
          std::string_view(upstream, static_cast<size_t>(p - upstream));
    }
    request.method = spec.method;
    request.route = spec.route;
    request.status = status;
    request.latency_us = latency_ms * 1000;
    request.body_bytes = bytes;
    return p;
  }

  // A TLS ClientHello sent to the plain-HTTP port, or a connection closed before any request:
  // both logged by nginx as 400 with no upstream.
  char* WriteJunk(char* p, int64_t written_ms, SampleRequest& request) {
    const Client& client = clients_[rng_.Below(static_cast<uint32_t>(clients_.size()))];
    const bool tls = rng_.Chance(0.5);
    const int64_t latency_ms = tls ? rng_.Below(3) : 0;
    const int64_t bytes = tls ? 157 : 0;
    p = PutAddressAndTime(p, ClientIp(client), "-", written_ms);
    p = Put(p, " \"");
    char* const target = p;
    if (tls) {
      p = Put(p, tls_request_);
    }
    request.target = std::string_view(target, static_cast<size_t>(p - target));
    p = Put(p, "\" 400 ");
    p = PutUint(p, static_cast<uint64_t>(bytes));
    p = Put(p, R"( "-" "-")");
    request.upstream_response_time = {};
    if (options_.request_time) {
      *p++ = ' ';
      p = PutSeconds3(p, latency_ms);
      *p++ = ' ';
      request.upstream_response_time = std::string_view(p, 1);
      *p++ = '-';
    }
    request.method = {};
    request.route = {};
    request.status = 400;
    request.latency_us = latency_ms * 1000;
    request.body_bytes = bytes;
    return p;
  }

  const AccessLogOptions& options_;
  Plan plan_;
  Rng rng_;
  std::array<CompiledRoute, kRouteCount> compiled_;
  std::array<uint8_t, 65536> route_picker_ = {};
  std::vector<std::string> agents_;
  std::vector<std::string> scanner_agents_;
  std::string tls_request_;
  std::string ip_pool_;
  std::vector<Client> clients_;
  int64_t cached_second_ = INT64_MIN;
  std::array<char, 28> cached_time_ = {};
};

}  // namespace

Status WriteSampleAccessLog(const AccessLogOptions& options, const std::string& path,
                            const std::function<void(const SampleRequest&)>& observe) {
  VIGIL_ASSIGN_OR_RETURN(Plan plan, MakePlan(options));
  const bool to_stdout = path == "-";
  int fd = STDOUT_FILENO;
  if (!to_stdout) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      const int err = errno;
      std::string message = path + ": open: " + std::generic_category().message(err);
      return err == ENOENT ? NotFoundError(std::move(message))
                           : UnavailableError(std::move(message));
    }
  }
  auto generator = std::make_unique<Generator>(options, std::move(plan));
  Writer writer(fd, path);
  Status status = generator->Run(writer, observe);
  if (!to_stdout && ::close(fd) != 0 && status.ok()) {
    status = UnavailableError(path + ": close: " + std::generic_category().message(errno));
  }
  return status;
}

Result<std::vector<ErrorBurst>> PlanSampleErrorBursts(const AccessLogOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(Plan plan, MakePlan(options));
  std::vector<ErrorBurst> out;
  out.reserve(plan.bursts.size());
  for (const PlannedBurst& planned : plan.bursts) {
    out.push_back(planned.burst);
  }
  return out;
}

}  // namespace vigil::demo
