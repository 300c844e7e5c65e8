// The real-nginx test (foundation issue): Debian's nginx runs on 127.0.0.1 with the documented
// log_format, curl (and, for request lines curl cannot send, a plain socket) sends it ids, query
// strings, percent-encoding, quotes, backslashes and non-ASCII bytes in user agents, 4xx and 5xx,
// upstream retries and a slow upstream; then the real `vigil` binary ingests what nginx wrote.
//
// The truth is what nginx itself logged, read back by a small parser here that shares no code
// with vigil (the oracle): per route, count, 5xx and 4xx must be exact, and p50/p95/p99/p99.9
// within the sketch's 1% of the nearest-rank value (rank ⌈q·n⌉) of the logged $request_time.
//
// nginx runs in the foreground as one process (`master_process off`, no `user` switch, so it
// works as root and unprivileged alike) with its prefix, pid, temp paths and logs in a temp dir;
// a guard kills it when the test ends, also on failure, and PR_SET_PDEATHSIG when the test dies.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <signal.h>
#include <simdjson.h>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

#include "latency_oracle.h"
#include "run_util.h"
#include "test_util.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

extern char** environ;

namespace vigil {
namespace {

constexpr const char* kNginxBinary = "/usr/sbin/nginx";
constexpr const char* kEchoModule = "/usr/lib/nginx/modules/ngx_http_echo_module.so";
constexpr const char* kCurlBinary = "/usr/bin/curl";
constexpr const char* kInstallHint =
    " — run scripts/deps.sh (it installs nginx-light, which brings the echo module, and curl)";

// The log_format the docs tell users to configure: combined + $request_time
// $upstream_response_time.
constexpr const char* kLogFormat =
    "'$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
    "\"$http_referer\" \"$http_user_agent\" $request_time $upstream_response_time'";

// nginx stamps $time_local in its own zone: +0530 checks that vigil applies the offset.
constexpr const char* kNginxTimeZone = "TZ=IST-5:30";

constexpr int kCurlParallel = 16;

// --- files and processes ---------------------------------------------------------------------

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool WriteFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  return static_cast<bool>(out);
}

using testing::RunCommand;
using testing::RunResult;
using testing::RunVigil;

// A port nothing listened on a moment ago (bound to 127.0.0.1:0, then closed). `keep` holds the
// sockets open so that several calls return distinct ports; the caller closes them.
int PickPort(std::vector<int>* keep) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  keep->push_back(fd);
  return ntohs(addr.sin_port);
}

int ConnectTo(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  timeval tv{};
  tv.tv_sec = 10;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool CanConnect(int port) {
  int fd = ConnectTo(port);
  if (fd < 0) {
    return false;
  }
  close(fd);
  return true;
}

// A request written byte for byte on its own connection, for request lines curl will not send
// (raw UTF-8 in the path, HTTP/0.9, TLS bytes, absolute-form targets...). `half_close`: shut
// the write side after sending, for requests nginx would otherwise wait on.
struct RawRequest {
  std::string bytes;
  bool half_close = false;
};

// Sends the request and reads until nginx closes the connection. Returns an error, or "".
std::string SendRaw(int port, const RawRequest& r) {
  int fd = ConnectTo(port);
  if (fd < 0) {
    return "cannot connect to 127.0.0.1:" + std::to_string(port);
  }
  size_t sent = 0;
  while (sent < r.bytes.size()) {
    ssize_t n = send(fd, r.bytes.data() + sent, r.bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      close(fd);
      return "send failed";
    }
    sent += static_cast<size_t>(n);
  }
  if (r.half_close) {
    shutdown(fd, SHUT_WR);
  }
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) {
      break;
    }
    if (n < 0) {
      close(fd);
      return "no response before the timeout";
    }
  }
  close(fd);
  return "";
}

// nginx in the foreground, killed when this object goes.
class NginxProcess {
 public:
  NginxProcess() = default;
  ~NginxProcess() { Kill(); }
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  // Starts `nginx -p dir/ -c dir/nginx.conf -e dir/error.log` with TZ set. Returns an error, or
  // "". nginx's own stdout and stderr go to dir/nginx.out.
  std::string Start(const std::string& dir) {
    Kill();
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "TZ=", 3) != 0) {
        env.emplace_back(*e);
      }
    }
    env.emplace_back(kNginxTimeZone);
    std::vector<std::string> args = {kNginxBinary,        "-p", dir + "/",         "-c",
                                     dir + "/nginx.conf", "-e", dir + "/error.log"};
    std::vector<char*> argv;
    for (std::string& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& e : env) {
      envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    std::string out_path = dir + "/nginx.out";
    int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out_fd < 0 || null_fd < 0) {
      return "cannot open " + out_path + " or /dev/null";
    }
    pid_t pid = fork();
    if (pid == 0) {
      // Only async-signal-safe calls until exec.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(null_fd, 0);
      dup2(out_fd, 1);
      dup2(out_fd, 2);
      execve(kNginxBinary, argv.data(), envp.data());
      _exit(127);
    }
    close(out_fd);
    close(null_fd);
    if (pid < 0) {
      return "fork failed";
    }
    pid_ = pid;
    return "";
  }

  // True once the process has exited (reaped).
  bool Exited() {
    if (pid_ <= 0) {
      return true;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    return false;
  }

  // Graceful shutdown (SIGQUIT: in-flight requests finish and are logged), SIGKILL after 10 s.
  // True when nginx quit by itself.
  bool Stop() {
    if (pid_ <= 0) {
      return true;
    }
    kill(pid_, SIGQUIT);
    for (int i = 0; i < 1000; ++i) {
      if (Exited()) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Kill();
    return false;
  }

 private:
  void Kill() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  pid_t pid_ = -1;
};

// --- the requests ----------------------------------------------------------------------------

struct CurlRequest {
  std::string method;  // "" = curl's choice (GET, or POST with a body); "HEAD" = --head
  std::string target;  // path and query, as sent
  std::string user_agent;
  std::string referer;
  std::string user;  // basic auth "name:password"
  std::string body;
  std::string max_time = "20";
};

// A string in curl's config-file syntax.
std::string CurlQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  out += '"';
  return out;
}

std::string CurlConfig(int port, const std::vector<CurlRequest>& requests) {
  std::ostringstream cfg;
  for (size_t i = 0; i < requests.size(); ++i) {
    const CurlRequest& r = requests[i];
    if (i > 0) {
      cfg << "next\n";
    }
    cfg << "url = " << CurlQuote("http://127.0.0.1:" + std::to_string(port) + r.target) << "\n"
        << "globoff\npath-as-is\noutput = \"/dev/null\"\nmax-time = " << r.max_time << "\n";
    if (r.method == "HEAD") {
      cfg << "head\n";
    } else if (!r.method.empty()) {
      cfg << "request = " << CurlQuote(r.method) << "\n";
    }
    if (!r.user_agent.empty()) {
      cfg << "user-agent = " << CurlQuote(r.user_agent) << "\n";
    }
    if (!r.referer.empty()) {
      cfg << "referer = " << CurlQuote(r.referer) << "\n";
    }
    if (!r.user.empty()) {
      cfg << "user = " << CurlQuote(r.user) << "\n";
    }
    if (!r.body.empty()) {
      cfg << "data-binary = " << CurlQuote(r.body) << "\n";
    }
  }
  return cfg.str();
}

class Rng {
 public:
  explicit Rng(uint32_t seed) : gen_(seed) {}
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }
  std::string Hex(int digits) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < digits; ++i) {
      s += kDigits[Uniform(0, 15)];
    }
    return s;
  }
  std::string Uuid() {
    std::string s = Hex(8);
    s += '-';
    s += Hex(4);
    s += '-';
    s += Hex(4);
    s += '-';
    s += Hex(4);
    s += '-';
    s += Hex(12);
    return s;
  }

 private:
  std::mt19937 gen_;
};

// "0.007": an upstream delay in seconds for echo_sleep.
std::string Seconds(int ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d.%03d", ms / 1000, ms % 1000);
  return buf;
}

// Mostly fast, a few tens of ms for about a fifth, a rare 100+ ms tail.
int UpstreamDelayMs(Rng& rng) {
  int roll = rng.Uniform(0, 99);
  if (roll < 80) {
    return rng.Uniform(0, 9);
  }
  if (roll < 99) {
    return rng.Uniform(10, 60);
  }
  return rng.Uniform(100, 150);
}

const std::vector<std::string>& UserAgents() {
  static const std::vector<std::string> kAgents = {
      "",  // curl's own
      R"(Mozilla/5.0 (X11; Linux x86_64) "quoted" back\slash)",
      "agent/1.0 (caf\xC3\xA9; \xE6\x97\xA5\xE6\x9C\xAC)",
      "tab\there",
      "bot \"x\" \\ \xC3\xBC \xFF\xFE",
  };
  return kAgents;
}

// The main mix: ~1950 requests over every location.
std::vector<CurlRequest> MainPlan() {
  Rng rng(20240611);
  std::vector<CurlRequest> plan;
  auto agent = [&rng] { return UserAgents()[static_cast<size_t>(rng.Uniform(0, 4))]; };
  // Items: numeric, UUID, 32-hex and 16-hex ids (upper and lower case), sub-resources,
  // trailing slashes, query strings; every method. Ids ending in 7 are 404 upstream. Half go
  // first to a dead server of the upstream group: "$upstream_response_time" lists.
  for (int i = 0; i < 1400; ++i) {
    std::string id;
    switch (i % 5) {
      case 0:
      case 4:
        id = std::to_string(rng.Uniform(1, 99999));
        break;
      case 1:
        id = rng.Uuid();
        break;
      case 2:
        id = rng.Hex(32);
        break;
      default:
        id = rng.Hex(16);
        break;
    }
    if (i % 7 == 0) {
      std::transform(id.begin(), id.end(), id.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      });
    }
    CurlRequest r;
    switch (i % 10) {
      case 6:
      case 7:
        r.target = "/api/items/" + id + "/reviews/" + std::to_string(rng.Uniform(1, 500));
        break;
      case 8:
        r.target = "/api/items/" + id + "/";
        break;
      default:
        r.target = "/api/items/" + id;
    }
    r.target += "?d=" + Seconds(UpstreamDelayMs(rng));
    if (i % 3 == 0) {
      r.target += "&q=a%20b&x=1";
    }
    int m = rng.Uniform(0, 99);
    if (m < 80) {
      r.method = "";
    } else if (m < 88) {
      r.body = "name=" + id + "&note=%22hi%22";
    } else if (m < 93) {
      r.method = "PUT";
      r.body = "{\"id\":\"" + id + "\"}";
    } else if (m < 97) {
      r.method = "DELETE";
    } else if (m < 99) {
      r.method = "PATCH";
      r.body = "x=1";
    } else {
      r.method = "HEAD";
    }
    r.user_agent = agent();
    if (i % 11 == 0) {
      r.referer = "http://ref.test/p?a=\"b\"&c=\\d";
    }
    plan.push_back(r);
  }
  // Users: a nested route with two ids.
  for (int i = 0; i < 150; ++i) {
    CurlRequest r;
    r.target = "/api/users/" + rng.Uuid() + "/orders/" + std::to_string(rng.Uniform(1, 9999)) +
               "?d=" + Seconds(UpstreamDelayMs(rng));
    r.user_agent = agent();
    plan.push_back(r);
  }
  // Basic-auth users (a space in $remote_user) and a method nginx does not know.
  for (int i = 0; i < 5; ++i) {
    CurlRequest r;
    r.target = "/api/users/" + std::to_string(1000 + i) + "/orders/1?d=0.001";
    r.user = "al ice:pw";
    plan.push_back(r);
  }
  for (int i = 0; i < 3; ++i) {
    CurlRequest r;
    r.method = "FOO";
    r.target = "/api/items/" + std::to_string(300 + i) + "?d=0.001";
    plan.push_back(r);
  }
  // Static files: percent-encoded names (both hex cases), HEAD, 403 on the directory, 404,
  // 405 on POST, query strings.
  const std::vector<std::string> statics = {
      "/static/a.txt", "/static/a.txt?v=1.2.3", "/static/caf%C3%A9.txt", "/static/caf%c3%a9.txt",
      "/static/",      "/static/nope-1.txt",    "/static/nope-2.txt",    "/static/%7Ea.txt"};
  for (int i = 0; i < 120; ++i) {
    CurlRequest r;
    r.target = statics[static_cast<size_t>(i) % statics.size()];
    if (i % 10 == 3) {
      r.method = "HEAD";
    } else if (i % 10 == 7) {
      r.body = "x=1";  // POST on a static file: 405
    }
    r.user_agent = agent();
    plan.push_back(r);
  }
  // 5xx: 503 from nginx itself, 500 from the upstream, 502 from a dead upstream.
  for (int i = 0; i < 150; ++i) {
    CurlRequest r;
    switch (i % 3) {
      case 0:
        r.target = "/api/fail";
        break;
      case 1:
        r.target = "/api/fail/" + std::to_string(rng.Uniform(1, 50)) + "?retry=1";
        break;
      default:
        r.target = "/api/down/" + rng.Hex(32);
        if (i % 2 == 0) {
          r.body = "x=1";
        }
    }
    r.user_agent = agent();
    plan.push_back(r);
  }
  // A 404 upstream answered by a fallback location: "$upstream_response_time" with " : ".
  for (int i = 0; i < 40; ++i) {
    CurlRequest r;
    r.target = "/api/legacy/" + std::to_string(rng.Uniform(1, 999)) +
               "?d=" + Seconds(UpstreamDelayMs(rng));
    plan.push_back(r);
  }
  // Bodies over client_max_body_size: 413; small ones pass.
  for (int i = 0; i < 12; ++i) {
    CurlRequest r;
    r.target = "/api/upload/" + std::to_string(i);
    r.body = std::string(i < 8 ? 3000 : 100, 'z');
    plan.push_back(r);
  }
  // Misc 404s and the 403 of the document root.
  const std::vector<std::string> misc = {"/",           "/nope",      "/favicon.ico",
                                         "/robots.txt", "/api/items", "/api/items/"};
  for (int i = 0; i < 60; ++i) {
    CurlRequest r;
    r.target = misc[static_cast<size_t>(i) % misc.size()];
    r.user_agent = agent();
    plan.push_back(r);
  }
  // The slow upstream: 100–450 ms.
  for (int i = 0; i < 12; ++i) {
    CurlRequest r;
    r.target = "/api/slow/" + std::to_string(i + 1) + "?s=" + Seconds(100 + 30 * i);
    plan.push_back(r);
  }
  // Clients that give up on the slow upstream: 499.
  for (int i = 0; i < 3; ++i) {
    CurlRequest r;
    r.target = "/api/slow/" + std::to_string(100 + i) + "?s=1.000";
    r.max_time = "0.3";
    plan.push_back(r);
  }
  return plan;
}

std::vector<RawRequest> MainRawPlan(int port) {
  const std::string end = " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::vector<RawRequest> raw;
  raw.push_back(RawRequest{"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", true});  // TLS
  raw.push_back(RawRequest{"GET /static/a.txt\r\n", true});                         // HTTP/0.9
  raw.push_back(RawRequest{"-\r\n\r\n", true});
  raw.push_back(RawRequest{
      "GET http://127.0.0.1:" + std::to_string(port) + "/api/items/42?d=0.002" + end, false});
  raw.push_back(RawRequest{"GET /static/caf\xC3\xA9.txt" + end, false});  // raw UTF-8
  raw.push_back(RawRequest{"get /static/a.txt" + end, false});            // 400
  raw.push_back(RawRequest{"GET /static/a b.txt" + end, false});          // 400
  raw.push_back(RawRequest{"GET /api/items/123?d=0.001 HTTP/1.0\r\n\r\n", false});
  raw.push_back(RawRequest{"PROPFIND /api/users/9/orders/9?d=0.001" + end, false});
  return raw;
}

// --- the oracle: what nginx logged ---------------------------------------------------------

// nginx's default escaping: \xHH for '"', '\', control and non-ASCII bytes.
std::string UnescapeNginx(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(s[i + 3])) != 0) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 2, 2)), nullptr, 16));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsIdSegment(const std::string& seg) {
  static const std::regex kId(
      "[0-9]+|[0-9a-fA-F]{16,}|"
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  return std::regex_match(seg, kId);
}

// The automatic route of an (unescaped) request line, by DESIGN §6: method, then the path
// without query or trailing slash, numeric / UUID / 16+ hex segments as ":id"; a request line
// that is not `METHOD target HTTP/x` is "invalid request".
std::string OracleRoute(const std::string& request) {
  const std::string kInvalid = "invalid request";
  size_t sp = request.find(' ');
  if (sp == std::string::npos || sp == 0) {
    return kInvalid;
  }
  std::string method = request.substr(0, sp);
  if (!std::all_of(method.begin(), method.end(), IsTokenChar)) {
    return kInvalid;
  }
  std::string rest = request.substr(sp + 1);
  size_t last = rest.rfind(' ');
  if (last == std::string::npos || rest.compare(last + 1, 5, "HTTP/") != 0) {
    return kInvalid;
  }
  std::string target = rest.substr(0, last);
  for (const char* scheme : {"http://", "https://"}) {
    if (target.rfind(scheme, 0) == 0) {
      size_t slash = target.find('/', std::strlen(scheme));
      target = slash == std::string::npos ? "/" : target.substr(slash);
    }
  }
  if (target.empty() || target[0] != '/') {
    return kInvalid;
  }
  target = target.substr(0, target.find_first_of("?#"));
  while (target.size() > 1 && target.back() == '/') {
    target.pop_back();
  }
  std::string route = method;
  route += ' ';
  if (target == "/") {
    return route + "/";
  }
  std::stringstream segments(target.substr(1));
  std::string seg;
  while (std::getline(segments, seg, '/')) {
    route += '/';
    route += IsIdSegment(seg) ? ":id" : seg;
  }
  return route;
}

using Truth = testing::ExpectedRow;

// What the oracle read, and which edge cases the log really contains.
struct Oracle {
  std::map<std::string, Truth> routes;
  int64_t lines = 0;
  std::vector<std::string> unparsed;  // lines the oracle's own pattern did not match
  std::set<int> statuses;
  std::set<std::string> features;
};

Oracle ReadNginxLog(const std::string& text) {
  // Every variable is escaped by nginx, so no field holds a raw '"'; $remote_user may hold
  // spaces, hence the greedy group and the fixed-shape timestamp after it.
  static const std::regex kLine(
      R"re(^(\S+) - (.*) \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] )re"
      R"re("([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)" (\d+)\.(\d{3}) )re"
      R"re((-|\d+\.\d{3}(?:(?:, | : )(?:-|\d+\.\d{3}))*)$)re");
  Oracle o;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    ++o.lines;
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) {
      o.unparsed.push_back(line);
      continue;
    }
    const std::string user = m[2].str();
    const std::string request = UnescapeNginx(m[4].str());
    const int status = std::stoi(m[5].str());
    const std::string agent = m[8].str();
    const int64_t us = std::stoll(m[9].str()) * 1'000'000 + std::stoll(m[10].str()) * 1000;
    const std::string upstream = m[11].str();
    const std::string route = OracleRoute(request);
    Truth& t = o.routes[route];
    ++t.count;
    t.bad += status >= 500 ? 1 : 0;
    t.client_errors += status >= 400 && status < 500 ? 1 : 0;
    t.latencies_us.push_back(us);
    o.statuses.insert(status);
    auto has = [](const std::string& s, std::string_view what) {
      return s.find(what) != std::string::npos;
    };
    if (has(agent, "\\x22")) {
      o.features.insert("user agent with \\x22");
    }
    if (has(agent, "\\x5C")) {
      o.features.insert("user agent with \\x5C");
    }
    if (has(agent, "\\xC3\\xA9")) {
      o.features.insert("user agent with UTF-8");
    }
    if (has(m[4].str(), "\\xC3\\xA9")) {
      o.features.insert("request with raw UTF-8");
    }
    if (has(request, "%C3%A9")) {
      o.features.insert("percent-encoded path");
    }
    if (has(request, "?")) {
      o.features.insert("query string");
    }
    if (has(upstream, ", ")) {
      o.features.insert("upstream retry list");
    }
    if (has(upstream, " : ")) {
      o.features.insert("upstream internal redirect");
    }
    if (has(user, " ")) {
      o.features.insert("remote user with a space");
    }
    if (has(request, " http://")) {
      o.features.insert("absolute-form target");
    }
    if (route == "invalid request") {
      o.features.insert("invalid request line");
    }
    if (us >= 200'000 && status == 200) {
      o.features.insert("slow upstream");
    }
    if (has(m[3].str(), "+0530")) {
      o.features.insert("+0530 offset");
    }
  }
  return o;
}

std::string Rfc3339Utc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The "rows" part of `vigil latency --format json` (without the window, which differs).
std::string RowsPart(const std::string& json) {
  size_t at = json.find("\"rows\"");
  return at == std::string::npos ? json : json.substr(at);
}

// --- the fixture -----------------------------------------------------------------------------

class NginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(access(kNginxBinary, X_OK), 0)
        << kNginxBinary << " not found: this test runs Debian's nginx" << kInstallHint;
    ASSERT_EQ(access(kEchoModule, R_OK), 0)
        << kEchoModule << " not found (the slow upstream uses echo_sleep)" << kInstallHint;
    ASSERT_EQ(access(kCurlBinary, X_OK), 0) << kCurlBinary << " not found" << kInstallHint;
    std::filesystem::create_directories(dir_.path() / "www" / "static");
    std::filesystem::create_directories(dir_.path() / "tmp");
    ASSERT_TRUE(WriteFile(dir_.File("www/static/a.txt"), "hello\n"));
    ASSERT_TRUE(WriteFile(dir_.File("www/static/caf\xC3\xA9.txt"), "caf\xC3\xA9\n"));
    ASSERT_TRUE(WriteFile(dir_.File("www/static/~a.txt"), "tilde\n"));
  }

  std::string NginxConfig() const {
    const std::string d = dir_.path().string();
    const std::string up = "127.0.0.1:" + std::to_string(upstream_port_);
    const std::string dead = "127.0.0.1:" + std::to_string(dead_port_);
    std::ostringstream c;
    c << "load_module " << kEchoModule << ";\n"
      << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
      << "pid " << d << "/nginx.pid;\nlock_file " << d << "/nginx.lock;\n"
      << "error_log " << d << "/error.log notice;\n"
      << "events { worker_connections 1024; }\n"
      << "http {\n"
      << "  log_format vigil " << kLogFormat << ";\n"
      << "  access_log " << d << "/access.log vigil;\n"
      << "  client_body_temp_path " << d << "/tmp/body;\n"
      << "  proxy_temp_path " << d << "/tmp/proxy;\n"
      << "  fastcgi_temp_path " << d << "/tmp/fastcgi;\n"
      << "  uwsgi_temp_path " << d << "/tmp/uwsgi;\n"
      << "  scgi_temp_path " << d << "/tmp/scgi;\n"
      << "  default_type text/plain;\n"
      << "  keepalive_requests 100000;\n"
      << "  map $arg_d $vigil_delay { \"\" \"0\"; default $arg_d; }\n"
      << "  map $arg_s $vigil_sleep { \"\" \"0.1\"; default $arg_s; }\n"
      << "  upstream flaky { server " << dead << " max_fails=0; server " << up
      << " max_fails=0; }\n"
      << "  server {\n"
      << "    listen 127.0.0.1:" << port_ << ";\n"
      << "    root " << d << "/www;\n"
      << "    proxy_next_upstream error timeout non_idempotent;\n"
      << "    location /api/items/ { proxy_pass http://flaky; }\n"
      << "    location /api/users/ { proxy_pass http://" << up << "; }\n"
      << "    location /api/slow/ { proxy_pass http://" << up << "; }\n"
      << "    location = /api/fail { return 503; }\n"
      << "    location /api/fail/ { proxy_pass http://" << up << "; }\n"
      << "    location /api/down/ { proxy_pass http://" << dead << "; }\n"
      << "    location /api/legacy/ { proxy_pass http://" << up
      << "; proxy_intercept_errors on; error_page 404 = @fallback; }\n"
      << "    location @fallback { rewrite ^ /api/fallback break; proxy_pass http://" << up
      << "; }\n"
      << "    location /api/upload/ { client_max_body_size 1k; proxy_pass http://" << up << "; }\n"
      << "    location /static/ { }\n"
      << "  }\n"
      << "  server {\n"
      << "    listen " << up << ";\n"
      << "    access_log off;\n"
      << "    location ~ \"^/api/items/[^/]*7$\" { return 404; }\n"
      << "    location /api/items/ { echo_sleep $vigil_delay; echo '{\"ok\":true}'; }\n"
      << "    location /api/users/ { echo_sleep $vigil_delay; echo '{\"user\":1}'; }\n"
      << "    location /api/slow/ { echo_sleep $vigil_sleep; echo slow; }\n"
      << "    location /api/fail/ { return 500; }\n"
      << "    location /api/legacy/ { return 404; }\n"
      << "    location /api/fallback { echo_sleep $vigil_delay; echo fallback; }\n"
      << "    location / { return 200 \"ok\\n\"; }\n"
      << "  }\n"
      << "}\n";
    return c.str();
  }

  // Starts nginx on fresh ports; retries when a port was taken in between.
  void StartNginx() {
    std::string last_error;
    for (int attempt = 0; attempt < 5; ++attempt) {
      std::vector<int> keep;
      port_ = PickPort(&keep);
      upstream_port_ = PickPort(&keep);
      dead_port_ = PickPort(&keep);
      for (int fd : keep) {
        close(fd);
      }
      ASSERT_GT(port_, 0);
      ASSERT_GT(upstream_port_, 0);
      ASSERT_GT(dead_port_, 0);
      ASSERT_TRUE(WriteFile(dir_.File("nginx.conf"), NginxConfig()));
      std::error_code ec;
      std::filesystem::remove(dir_.File("access.log"), ec);
      last_error = nginx_.Start(dir_.path().string());
      if (!last_error.empty()) {
        continue;
      }
      for (int i = 0; i < 500 && !nginx_.Exited(); ++i) {
        if (CanConnect(port_) && CanConnect(upstream_port_)) {
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      nginx_.Stop();
      last_error = "nginx did not come up; error.log:\n" + ReadFile(dir_.File("error.log")) +
                   ReadFile(dir_.File("nginx.out"));
    }
    FAIL() << last_error;
  }

  // Sends the requests with one `curl --parallel` run. curl's exit code is not checked: the
  // clients that time out on purpose make it non-zero; the log's line count is checked instead.
  void RunCurl(const std::vector<CurlRequest>& requests) {
    ASSERT_TRUE(WriteFile(dir_.File("curl.cfg"), CurlConfig(port_, requests)));
    std::string cmd = "timeout 120 ";
    cmd += kCurlBinary;
    cmd += " -sS --no-progress-meter --parallel --parallel-max " + std::to_string(kCurlParallel) +
           " --config '";
    cmd += dir_.File("curl.cfg");
    cmd += "' >'";
    cmd += dir_.File("curl.out");
    cmd += "' 2>'";
    cmd += dir_.File("curl.err");
    cmd += "'";
    RunResult r = RunCommand(cmd);
    ASSERT_NE(r.exit_code, 124) << "curl timed out";
  }

  void SendAllRaw(const std::vector<RawRequest>& raw) {
    for (size_t i = 0; i < raw.size(); ++i) {
      std::string error = SendRaw(port_, raw[i]);
      ASSERT_EQ(error, "") << "raw request " << i;
    }
  }

  void StopNginx() { EXPECT_TRUE(nginx_.Stop()) << "nginx had to be killed"; }

  testing::TempDir dir_;
  NginxProcess nginx_;
  int port_ = 0;
  int upstream_port_ = 0;
  int dead_port_ = 0;
};

// Checks `vigil latency --format json` against the oracle: same route names, exact counts,
// percentiles within 1% of nearest rank.
void ExpectLatencyMatches(const std::string& json, const Oracle& oracle) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  simdjson::dom::array rows;
  ASSERT_EQ(doc["rows"].get_array().get(rows), simdjson::SUCCESS);
  std::set<std::string> seen;
  for (simdjson::dom::element row : rows) {
    std::string_view name, service, kind;
    ASSERT_EQ(row["name"].get_string().get(name), simdjson::SUCCESS);
    ASSERT_EQ(row["service"].get_string().get(service), simdjson::SUCCESS);
    ASSERT_EQ(row["kind"].get_string().get(kind), simdjson::SUCCESS);
    EXPECT_EQ(service, "default") << name;
    EXPECT_EQ(kind, "route") << name;
    EXPECT_TRUE(seen.insert(std::string(name)).second) << "route listed twice: " << name;
    auto it = oracle.routes.find(std::string(name));
    if (it == oracle.routes.end()) {
      ADD_FAILURE() << "vigil has a route nginx's log does not: '" << name << "'";
      continue;
    }
    testing::ExpectRowMatches(row, name, it->second);
  }
  for (const auto& [name, truth] : oracle.routes) {
    EXPECT_TRUE(seen.contains(name))
        << "nginx logged " << truth.count << " requests of '" << name << "'; vigil has no row";
  }
}

TEST_F(NginxTest, VigilCountsWhatNginxLoggedExactly) {
  ASSERT_NO_FATAL_FAILURE(StartNginx());
  const std::time_t started = std::time(nullptr);
  const std::vector<CurlRequest> plan = MainPlan();
  const std::vector<RawRequest> raw = MainRawPlan(port_);
  ASSERT_NO_FATAL_FAILURE(RunCurl(plan));
  ASSERT_NO_FATAL_FAILURE(SendAllRaw(raw));
  StopNginx();
  const std::time_t stopped = std::time(nullptr);

  // The oracle: nginx's log, line by line.
  const Oracle oracle = ReadNginxLog(ReadFile(dir_.File("access.log")));
  ASSERT_EQ(oracle.lines, static_cast<int64_t>(plan.size() + raw.size()))
      << "every request sent is one log line; curl said:\n"
      << ReadFile(dir_.File("curl.err"));
  ASSERT_TRUE(oracle.unparsed.empty()) << "the oracle cannot read: " << oracle.unparsed[0];
  for (const char* feature :
       {"user agent with \\x22", "user agent with \\x5C", "user agent with UTF-8",
        "request with raw UTF-8", "percent-encoded path", "query string", "upstream retry list",
        "upstream internal redirect", "remote user with a space", "absolute-form target",
        "invalid request line", "slow upstream", "+0530 offset"}) {
    EXPECT_TRUE(oracle.features.contains(feature)) << "the log has no " << feature;
  }
  for (int status : {200, 400, 403, 404, 405, 413, 499, 500, 502, 503}) {
    EXPECT_TRUE(oracle.statuses.contains(status)) << "the log has no status " << status;
  }

  // vigil: init, ingest with --log-format auto, latency.
  const std::string dir = dir_.path().string();
  RunResult init = RunVigil(dir, "init");
  ASSERT_EQ(init.exit_code, 0) << init.out;
  RunResult ingest = RunVigil(dir, "ingest access-log access.log --format json 2>ingest.err");
  const std::string notices = ReadFile(dir_.File("ingest.err"));
  ASSERT_EQ(ingest.exit_code, 0) << ingest.out << notices;
  EXPECT_NE(notices.find("access.log: --log-format auto chose nginx combined + $request_time"),
            std::string::npos)
      << notices;
  {
    simdjson::dom::parser parser;
    simdjson::dom::element summary;
    ASSERT_EQ(parser.parse(ingest.out).get(summary), simdjson::SUCCESS) << ingest.out;
    int64_t lines = -1, accepted = -1, rejected = -1, warnings = -1;
    ASSERT_EQ(summary["lines"].get_int64().get(lines), simdjson::SUCCESS);
    ASSERT_EQ(summary["accepted"].get_int64().get(accepted), simdjson::SUCCESS);
    ASSERT_EQ(summary["rejected"].get_int64().get(rejected), simdjson::SUCCESS);
    ASSERT_EQ(summary["warnings"].get_int64().get(warnings), simdjson::SUCCESS);
    EXPECT_EQ(lines, oracle.lines) << ingest.out;
    EXPECT_EQ(accepted, oracle.lines) << ingest.out;
    EXPECT_EQ(rejected, 0) << ingest.out;
    EXPECT_EQ(warnings, oracle.routes.at("invalid request").count) << ingest.out;
    std::string_view format;
    ASSERT_EQ(summary["files"].at(0)["format"].get_string().get(format), simdjson::SUCCESS);
    EXPECT_EQ(format, "nginx combined + $request_time");
  }

  RunResult latency = RunVigil(dir, "latency --format json");
  ASSERT_EQ(latency.exit_code, 0) << latency.out;
  ExpectLatencyMatches(latency.out, oracle);

  // nginx wrote +0530 local times; in UTC they fall inside the test's own run.
  RunResult window = RunVigil(dir, "latency --format json --from " + Rfc3339Utc(started - 120) +
                                       " --to " + Rfc3339Utc(stopped + 120));
  ASSERT_EQ(window.exit_code, 0) << window.out;
  EXPECT_EQ(RowsPart(window.out), RowsPart(latency.out));

  // Ingesting the same file again changes nothing.
  RunResult again = RunVigil(dir, "ingest access-log access.log --quiet --format json");
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("\"lines\":0"), std::string::npos) << again.out;
  RunResult latency2 = RunVigil(dir, "latency --format json");
  EXPECT_EQ(latency2.out, latency.out);
}

// Bytes a client controls reach the log: a '[' in the basic-auth user name lands before the
// timestamp ($remote_user is set from any Authorization header, auth configured or not), and a
// raw 0xFF in the path is logged as \xFF. Neither may cost a line or break vigil's JSON.
TEST_F(NginxTest, ClientControlledBytesNeitherLoseLinesNorBreakJson) {
  ASSERT_NO_FATAL_FAILURE(StartNginx());
  std::vector<CurlRequest> plan;
  for (int i = 0; i < 30; ++i) {
    CurlRequest r;
    r.target = "/api/items/" + std::to_string(1000 + i) + "?d=0.001";
    if (i % 10 == 0) {
      r.user = "x [evil:pw";
    } else if (i % 10 == 5) {
      r.user = "a] [b \"c:pw";
    }
    plan.push_back(r);
  }
  const std::string end = " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  const std::vector<RawRequest> raw = {
      RawRequest{"GET /api/items/\xFF\xFE?d=0.001" + end, false},
      RawRequest{"GET /static/\xFF.txt" + end, false},
  };
  ASSERT_NO_FATAL_FAILURE(RunCurl(plan));
  ASSERT_NO_FATAL_FAILURE(SendAllRaw(raw));
  StopNginx();

  const Oracle oracle = ReadNginxLog(ReadFile(dir_.File("access.log")));
  ASSERT_EQ(oracle.lines, static_cast<int64_t>(plan.size() + raw.size()));
  ASSERT_TRUE(oracle.unparsed.empty()) << "the oracle cannot read: " << oracle.unparsed[0];

  const std::string dir = dir_.path().string();
  ASSERT_EQ(RunVigil(dir, "init").exit_code, 0);
  RunResult ingest = RunVigil(dir, "ingest access-log access.log --quiet --format json");
  ASSERT_EQ(ingest.exit_code, 0) << ingest.out;
  EXPECT_NE(ingest.out.find("\"rejected\":0,"), std::string::npos) << ingest.out;

  RunResult latency = RunVigil(dir, "latency --format json");
  ASSERT_EQ(latency.exit_code, 0) << latency.out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(latency.out).get(doc), simdjson::SUCCESS)
      << "vigil's JSON is not valid (UTF-8?): " << latency.out;
  simdjson::dom::array rows;
  ASSERT_EQ(doc["rows"].get_array().get(rows), simdjson::SUCCESS);
  int64_t total = 0;
  int64_t items = -1;
  for (simdjson::dom::element row : rows) {
    int64_t count = 0;
    std::string_view name;
    ASSERT_EQ(row["count"].get_int64().get(count), simdjson::SUCCESS);
    ASSERT_EQ(row["name"].get_string().get(name), simdjson::SUCCESS);
    total += count;
    if (name == "GET /api/items/:id") {
      items = count;
    }
  }
  EXPECT_EQ(total, oracle.lines);
  EXPECT_EQ(items, oracle.routes.at("GET /api/items/:id").count);
}

}  // namespace
}  // namespace vigil
