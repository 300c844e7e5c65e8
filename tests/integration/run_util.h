// Running programs from integration tests: a shell command or the vigil binary, stdout captured.
#pragma once

#include <cstdio>
#include <string>

#include <sys/wait.h>

namespace vigil::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
};

// Runs a shell command with stdout captured (stderr passes through unless redirected).
inline RunResult RunCommand(const std::string& cmd) {
  RunResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    return r;
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
    r.out.append(buf, n);
  }
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs `vigil <args>` in `dir` (stdout captured; `args` may redirect stderr).
inline RunResult RunVigil(const std::string& dir, const std::string& args) {
  std::string cmd = "cd '";
  cmd += dir;
  cmd += "' && '";
  cmd += VIGIL_BINARY_PATH;
  cmd += "' ";
  cmd += args;
  return RunCommand(cmd);
}

}  // namespace vigil::testing
