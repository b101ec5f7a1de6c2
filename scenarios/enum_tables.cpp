#include "scenarios/enum_tables.hpp"

namespace cirrus::scenarios {

// Every name is the enum's own (its k*Names table beside it); a file takes all but those listed.
// tf32 is a GPU's tensor-core format, not a training precision cirrus simulates.
const EnumTable<models::Precision> kPrecisions =
    accepted(models::kPrecisionNames, {models::Precision::kTf32});
const EnumTable<models::Optimizer> kOptimizers = accepted(models::kOptimizerNames);
const EnumTable<models::Kernels> kKernels = accepted(models::kKernelsNames);
const EnumTable<models::Schedule> kSchedules = accepted(models::kScheduleNames);
const EnumTable<models::Recompute> kRecomputes = accepted(models::kRecomputeNames);
const EnumTable<models::AttentionKernel> kAttentionKernels =
    accepted(models::kAttentionKernelNames);
const EnumTable<models::FfnKind> kFfnKinds = accepted(models::kFfnKindNames);
const EnumTable<models::ScaleUpKind> kScaleUpKinds = accepted(models::kScaleUpKindNames);
const EnumTable<models::Topology> kTopologies = accepted(models::kTopologyNames);
// The all-reduce algorithms a scenario may pin (kDirect is NCCL's internal choice, not offered).
const EnumTable<models::Algorithm> kAlgorithms =
    accepted(models::kAlgorithmNames, {models::Algorithm::kDirect});
const EnumTable<models::Routing> kRoutings = accepted(models::kRoutingNames);
const EnumTable<pricing::PricingModel> kPricingModelNames = accepted(pricing::kPricingModelNames);

}  // namespace cirrus::scenarios
