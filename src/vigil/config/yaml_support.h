// Internal to the config module (not a front door): what config.cc and mappings.cc share to
// read YAML the same way — the input bounds, the one-document load, message quoting, the
// "did you mean" suggestion and the parser of the `mappings:` section. yaml-cpp is called
// only inside this module; nothing here throws.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "vigil/config/mappings.h"

namespace vigil::config::internal {

// Bounds checked before yaml-cpp sees a text: fuzzing finds crashes in yaml-cpp 0.7 on large
// or deeply nested input (STYLE §11).
inline constexpr size_t kMaxYamlBytes = size_t{1} << 20;
inline constexpr int kMaxYamlNesting = 32;
// Values visited while validating; bounds what anchors and aliases can expand to.
inline constexpr int kMaxVisitedValues = 300'000;

// One problem found, as config messages show it: "<source>:<line>: <path>: <reason>".
struct YamlIssue {
  int line = 0;  // 1-based; 0 = the whole text
  std::string path;
  std::string reason;
};

// `s` in double quotes for a message: control bytes escaped, long text cut.
std::string Quote(std::string_view s);

// The closest of `candidates` to `word` when there is an obvious one (case, '_' and '-'
// ignored; a small edit distance; a unique containing key), else "".
std::string Closest(std::string_view word, std::span<const std::string_view> candidates);

// The 1-based line at which the YAML nesting depth (estimated without parsing, erring high)
// first exceeds max_depth; 0 if never.
int FindExcessiveNesting(std::string_view text, int max_depth);

// Checks the size (kMaxYamlBytes), NUL bytes and nesting (kMaxYamlNesting) of `text`. False
// with *issue filled when the text is refused before yaml-cpp sees it.
bool CheckYamlBounds(std::string_view text, YamlIssue* issue);

// Loads the single YAML document of `text` into *root (a null node for an empty text or one
// with only comments). False with *issue filled on a syntax error or a second document. Never
// throws.
bool LoadSingleDocument(std::string_view text, YAML::Node* root, YamlIssue* issue);

// Parses the value of `mappings:` (`node`, whose key is at `line`, key path `path`) into one
// SourceMappings per <source>.<kind> block, appending problems to *issues. Never throws.
std::vector<SourceMappings> ParseMappingsSection(const YAML::Node& node, int line,
                                                 std::string_view path,
                                                 std::vector<YamlIssue>* issues);

}  // namespace vigil::config::internal
