// libFuzzer target for the catalog reader: a catalog either reads, writes and reads back, or is
// refused with InputError. Seed corpus: tests/fuzz/corpus/catalog/ (shipped catalogs, hostile
// prices).
//
//   cmake --preset fuzz && cmake --build build/fuzz --target catalog_fuzz
//   build/fuzz/tests/catalog_fuzz tests/fuzz/corpus/catalog
#include "pricing/catalog.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return cirrus::fuzz::read_or_refuse(data, size, [](const std::string& text) {
    using namespace cirrus::pricing;
    const Catalog c = parse_catalog(text, "fuzz.json");
    (void)parse_catalog(write_catalog(c), "fuzz-again.json");
  });
}
