#pragma once
// The names input files give the model's enums: one table per enum, shared by every reader of
// scenario-shaped settings (scenarios/loader.cpp for scenarios, scenarios/validation_set.cpp for
// validation datasets), so a value means the same thing, and is refused with the same list of
// allowed names, wherever it is written.
#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "common/enum_names.hpp"
#include "common/json_reader.hpp"
#include "models/network/cluster.hpp"
#include "models/network/collectives.hpp"
#include "models/workload/strategy.hpp"
#include "models/workload/transformer.hpp"
#include "pricing/catalog.hpp"

namespace cirrus::scenarios {

template <class E>
using EnumTable = std::vector<std::pair<std::string, E>>;

// The names of an enum's table (common/enum_names.hpp) that input files may use: all of them
// but `except` (values cirrus prints but does not take from a file, such as NCCL's internal
// "direct" algorithm).
template <class E, std::size_t N>
EnumTable<E> accepted(const EnumNames<E, N>& names, std::initializer_list<E> except = {}) {
  EnumTable<E> out;
  for (const auto& n : names) {
    if (std::find(except.begin(), except.end(), n.value) == except.end()) {
      out.emplace_back(n.name, n.value);
    }
  }
  return out;
}

// The value `n` names in `table`; throws InputError (listing the names) for any other.
template <class E>
E read_enum(const JsonNode& n, const EnumTable<E>& table) {
  std::vector<std::string> names;
  names.reserve(table.size());
  for (const auto& entry : table) names.push_back(entry.first);
  const std::string s = n.as_enum(names);
  for (const auto& [name, value] : table) {
    if (name == s) return value;
  }
  n.fail("a known value");  // unreachable: as_enum accepted s
}

extern const EnumTable<models::Precision> kPrecisions;              // fp32 fp16 bf16 fp8
extern const EnumTable<models::Optimizer> kOptimizers;              // adam sgd
extern const EnumTable<models::Kernels> kKernels;                   // fused eager
extern const EnumTable<models::Schedule> kSchedules;                // gpipe 1f1b interleaved
extern const EnumTable<models::Recompute> kRecomputes;              // none selective full ...
extern const EnumTable<models::AttentionKernel> kAttentionKernels;  // flash flash1 ... unfused
extern const EnumTable<models::FfnKind> kFfnKinds;                  // gelu swiglu
extern const EnumTable<models::ScaleUpKind> kScaleUpKinds;          // nvswitch ...
extern const EnumTable<models::Topology> kTopologies;               // fat-tree ...
extern const EnumTable<models::Algorithm> kAlgorithms;              // ring tree hierarchical nvls
extern const EnumTable<models::Routing> kRoutings;                  // destination-mod-k ecmp-hash
extern const EnumTable<pricing::PricingModel>
    kPricingModelNames;  // on-demand spot committed-1y ...

}  // namespace cirrus::scenarios
