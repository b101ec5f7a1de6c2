// libFuzzer target for the gcp-skus price-file importer (pricing/importers.hpp): a file either
// imports into a catalog that writes, or is refused with InputError naming it. Seed corpus:
// tests/fuzz/corpus/gcp_skus/ (test files and hostile rows: negative and binary prices, huge
// numbers, CRLF lines, one long line).
//
//   cmake --preset fuzz && cmake --build build/fuzz --target gcp_skus_fuzz
//   build/fuzz/tests/gcp_skus_fuzz tests/fuzz/corpus/gcp_skus
#include "pricing/catalog.hpp"
#include "pricing/importers.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return cirrus::fuzz::read_or_refuse(data, size, [](const std::string& text) {
    using namespace cirrus::pricing;
    ImportOptions options;
    options.retrieved = "2026-01-01";
    (void)write_catalog(import_gcp_skus({InputFile{"fuzz.input", text}}, options));
  });
}
