// Running programs from integration tests: a shell command or the vigil binary, stdout captured,
// waited for at once or started now and waited for later (to run several at the same time).
#pragma once

#include <cstdio>
#include <string>

#include <sys/wait.h>

namespace vigil::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
};

// 'text' for sh, with embedded single quotes escaped.
inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

// A shell command started on construction, its stdout captured (stderr passes through unless
// redirected). Wait() collects it; the destructor waits when nobody did.
class Process {
 public:
  explicit Process(const std::string& cmd) : pipe_(popen(cmd.c_str(), "r")) {}
  ~Process() {
    if (pipe_ != nullptr) {
      pclose(pipe_);
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  RunResult Wait() {
    RunResult r;
    if (pipe_ == nullptr) {
      return r;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe_)) > 0) {
      r.out.append(buf, n);
    }
    int status = pclose(pipe_);
    pipe_ = nullptr;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }

 private:
  FILE* pipe_ = nullptr;
};

// `cd DIR && vigil ARGS` (ARGS as given: it may redirect stderr).
inline std::string VigilCommand(const std::string& dir, const std::string& args) {
  return "cd " + ShellQuote(dir) + " && " + ShellQuote(VIGIL_BINARY_PATH) + " " + args;
}

inline RunResult RunCommand(const std::string& cmd) {
  return Process(cmd).Wait();
}

inline RunResult RunVigil(const std::string& dir, const std::string& args) {
  return RunCommand(VigilCommand(dir, args));
}

}  // namespace vigil::testing
