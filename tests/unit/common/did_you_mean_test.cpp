#include "common/did_you_mean.hpp"

#include <catch2/catch.hpp>

namespace cirrus {
namespace {

TEST_CASE("edit distance counts inserts, deletes and substitutions", "[common]") {
  CHECK(edit_distance("kitten", "sitting") == 3);  // k->s, e->i, +g
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("same", "same") == 0);
}

TEST_CASE("did_you_mean suggests a close word or nothing", "[common]") {
  const std::vector<std::string> presets = {"llama3-8b", "llama3-70b", "gpt3-175b"};
  CHECK(did_you_mean("llama3-7b", presets) == "llama3-8b");  // one substitution, first tie
  CHECK(did_you_mean("bert-large", presets).empty());
  CHECK(did_you_mean_suffix("gpt3-175", presets) == " (did you mean 'gpt3-175b'?)");
}

TEST_CASE("did_you_mean finds an id typed with less or more qualification", "[common]") {
  const std::vector<std::string> ids = {"aws:p5.48xlarge", "azure:Standard_ND96isr_H100_v5",
                                        "azure:Standard_ND96asr_v4"};
  // 9 characters apart ("Standard_"): too far for the edit distance, same name.
  CHECK(did_you_mean("azure:ND96isr_H100_v5", ids) == "azure:Standard_ND96isr_H100_v5");
  CHECK(did_you_mean("nd96isr_h100_v5", ids) == "azure:Standard_ND96isr_H100_v5");
  CHECK(did_you_mean("AWS:P5.48XLARGE", ids) == "aws:p5.48xlarge");
  // The provider, when given, must match.
  CHECK(did_you_mean("gcp:ND96isr_H100_v5", ids).empty());
  // Not at a word boundary, or too short to mean anything: no suggestion.
  CHECK(did_you_mean("isr_H100_v5x", ids).empty());
  CHECK(did_you_mean("v4", ids).empty());
}

}  // namespace
}  // namespace cirrus
