// vigil's main(): parses flags and wires the modules together; no logic of its own.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  try {
    CLI::App app{"vigil: production monitoring as a quality instrument"};
    app.set_version_flag("--version", "vigil 0.1.0");
    app.require_subcommand(0, 1);
    CLI11_PARSE(app, argc, argv);
    if (app.get_subcommands().empty()) {
      std::fputs(app.help().c_str(), stdout);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigil: internal error: %s\n", e.what());
    return 70;
  }
}
