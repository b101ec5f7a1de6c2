// libFuzzer target for the catalog reader and the four price-file importers: any input either
// reads or throws InputError. Any other exception, a crash or a sanitizer report is a bug.
// The first byte picks the reader, so one corpus exercises all of them. Seed corpus:
// tests/fuzz/corpus/catalog/, shipped catalogs and tests/data/pricing/ files behind their
// selector byte ('0' catalog, '1' AWS offer, '2' Azure, '3' GCP, '4' SkyPilot, '5' undated AWS).
//
//   cmake --preset fuzz && cmake --build build/fuzz --target catalog_fuzz
//   build/fuzz/tests/catalog_fuzz -max_len=65536 tests/fuzz/corpus/catalog
// (scripts/fuzz_smoke.sh runs every target for a minute, as CI does)
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/input_error.hpp"
#include "pricing/catalog.hpp"
#include "pricing/importers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cirrus::pricing;
  if (size == 0) return 0;
  const std::uint8_t selector = data[0] % 6;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::vector<InputFile> files = {InputFile{"fuzz.input", text, "2026-01-01"}};
  ImportOptions options;
  options.retrieved = "2026-01-01";
  try {
    switch (selector) {
      case 0: {
        const Catalog c = parse_catalog(text, "fuzz.json");
        // What was read must write and read back.
        (void)parse_catalog(write_catalog(c), "fuzz-again.json");
        break;
      }
      case 1:
        (void)write_catalog(import_aws_offer(files, options));
        break;
      case 2:
        (void)write_catalog(import_azure_retail(files, options));
        break;
      case 3:
        (void)write_catalog(import_gcp_skus(files, options));
        break;
      case 4:
        (void)write_catalog(import_skypilot(files, options));
        break;
      default: {
        // Without --retrieved the importers date the prices from the file itself.
        ImportOptions undated;
        (void)import_aws_offer({InputFile{"fuzz.csv", text, ""}}, undated);
        break;
      }
    }
  } catch (const cirrus::InputError&) {
    // Bad input, reported properly: the expected outcome for most inputs.
  }
  return 0;
}
