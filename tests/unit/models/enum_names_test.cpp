// Every enum's names table covers each value once and reads back what it prints: to_string and
// the input readers share the tables (common/enum_names.hpp).
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "common/enum_names.hpp"
#include "models/compute/attention_kernel.hpp"
#include "models/hardware/hardware.hpp"
#include "models/hardware/storage_tiers.hpp"
#include "models/network/cluster.hpp"
#include "models/network/collectives.hpp"
#include "models/workload/strategy.hpp"
#include "models/workload/transformer.hpp"
#include "pricing/catalog.hpp"
#include "scenarios/enum_tables.hpp"

namespace {

template <class E, std::size_t N>
void check_table(const cirrus::EnumNames<E, N>& names) {
  std::set<std::string> seen;
  for (const auto& n : names) {
    INFO(n.name);
    CHECK(seen.insert(n.name).second);                  // one name per value
    CHECK(std::string(to_string(n.value)) == n.name);   // printed as in the table
    CHECK(cirrus::value_in(names, n.name) == n.value);  // read back
  }
  CHECK_FALSE(cirrus::value_in(names, "no-such-name").has_value());
}

}  // namespace

TEST_CASE("enum name tables print and read back every value", "[models][enums]") {
  using namespace cirrus::models;
  check_table(kPrecisionNames);
  check_table(kScaleUpKindNames);
  check_table(kTierNames);
  check_table(kTopologyNames);
  check_table(kRoutingNames);
  check_table(kAlgorithmNames);
  check_table(kScheduleNames);
  check_table(kRecomputeNames);
  check_table(kOptimizerNames);
  check_table(kKernelsNames);
  check_table(kAttentionKernelNames);
  check_table(kFfnKindNames);
  check_table(cirrus::pricing::kPricingModelNames);
  CHECK(std::string(cirrus::name_in(kAlgorithmNames, static_cast<Algorithm>(99))) == "?");
}

TEST_CASE("scenario readers take the enums' own names, less what files may not pin",
          "[scenarios][enums]") {
  using namespace cirrus::scenarios;
  CHECK(kPrecisions.size() == cirrus::models::kPrecisionNames.size() - 1);  // no tf32
  CHECK(kAlgorithms.size() == cirrus::models::kAlgorithmNames.size() - 1);  // no direct
  for (const auto& [name, value] : kAlgorithms) CHECK(name != std::string("direct"));
  CHECK(kRecomputes.size() == cirrus::models::kRecomputeNames.size());
}
