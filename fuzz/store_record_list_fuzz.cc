// Fuzzes the store's length-prefixed list and map encoding (store/record_rows.h; the columns
// `areas`, `paths`, `alerts`, `labels`, `annotations`, docs/store-schema.md). Checks: decoding
// arbitrary bytes never crashes; whatever decodes re-encodes to something that decodes to the
// same items (and to the input itself unless a length had leading zeros); a map decodes only from
// an even number of items; and any list or map built from the input's bytes (items split on
// '\n', so they hold every other byte) round-trips exactly.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/check.h"
#include "vigil/store/record_rows.h"

namespace {

using vigil::store::DecodeItems;
using vigil::store::DecodeMap;
using vigil::store::EncodeList;
using vigil::store::EncodeMap;

// True when some length in `text` (a valid encoding) is written with a leading zero ("01:a").
bool HasLeadingZeroLength(std::string_view text) {
  while (!text.empty()) {
    const size_t colon = text.find(':');
    if (colon > 1 && text[0] == '0') {
      return true;
    }
    const size_t len = std::stoull(std::string(text.substr(0, colon)));
    text.remove_prefix(colon + 1 + len);
  }
  return false;
}

void FuzzDecode(std::string_view input) {
  std::vector<std::string> items;
  const bool list_ok = DecodeItems(input, &items);
  if (list_ok) {
    std::string encoded;
    EncodeList(items, &encoded);
    std::vector<std::string> again;
    VIGIL_CHECK(DecodeItems(encoded, &again) && again == items, "decode(encode(x)) == x");
    VIGIL_CHECK(HasLeadingZeroLength(input) || encoded == input, "canonical input re-encodes");
  }
  std::map<std::string, std::string> map;
  if (DecodeMap(input, &map)) {
    VIGIL_CHECK(items.size() % 2 == 0, "a map has an even number of items");
    std::string encoded;
    EncodeMap(map, &encoded);
    std::map<std::string, std::string> again;
    VIGIL_CHECK(DecodeMap(encoded, &again) && again == map, "map round trip");
  } else {
    VIGIL_CHECK(!list_ok || items.size() % 2 == 1, "an even list decodes as a map");
  }
}

void FuzzEncode(std::string_view input) {
  std::vector<std::string> items;
  size_t start = 0;
  for (size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || input[i] == '\n') {
      items.emplace_back(input.substr(start, i - start));
      start = i + 1;
    }
  }
  std::string encoded;
  EncodeList(items, &encoded);
  std::vector<std::string> decoded;
  VIGIL_CHECK(DecodeItems(encoded, &decoded) && decoded == items, "any list round-trips");
  std::map<std::string, std::string> map;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    map.insert_or_assign(items[i], items[i + 1]);
  }
  EncodeMap(map, &encoded);
  std::map<std::string, std::string> decoded_map;
  VIGIL_CHECK(DecodeMap(encoded, &decoded_map) && decoded_map == map, "any map round-trips");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzDecode(input);
  FuzzEncode(input);
  return 0;
}
