#include "scenarios/enum_tables.hpp"

namespace cirrus::scenarios {

const EnumTable<models::Precision> kPrecisions = {{"fp32", models::Precision::kFp32},
                                                  {"fp16", models::Precision::kFp16},
                                                  {"bf16", models::Precision::kBf16},
                                                  {"fp8", models::Precision::kFp8}};
const EnumTable<models::Optimizer> kOptimizers = {{"adam", models::Optimizer::kAdam},
                                                  {"sgd", models::Optimizer::kSgd}};
const EnumTable<models::Kernels> kKernels = {{"fused", models::Kernels::kFused},
                                             {"eager", models::Kernels::kEager}};
const EnumTable<models::Schedule> kSchedules = {{"gpipe", models::Schedule::kGpipe},
                                                {"1f1b", models::Schedule::k1F1B},
                                                {"interleaved", models::Schedule::kInterleaved}};
const EnumTable<models::Recompute> kRecomputes = {
    {"none", models::Recompute::kNone},
    {"selective", models::Recompute::kSelective},
    {"full", models::Recompute::kFull},
    {"selective-op", models::Recompute::kSelectiveOp},
    {"selective-layer", models::Recompute::kSelectiveLayer}};
const EnumTable<models::AttentionKernel> kAttentionKernels = {
    {"flash", models::AttentionKernel::kFlash},   {"flash1", models::AttentionKernel::kFlash1},
    {"flash2", models::AttentionKernel::kFlash2}, {"flash3", models::AttentionKernel::kFlash3},
    {"cudnn", models::AttentionKernel::kCudnn},   {"unfused", models::AttentionKernel::kUnfused}};
const EnumTable<models::FfnKind> kFfnKinds = {{"gelu", models::FfnKind::kGelu},
                                              {"swiglu", models::FfnKind::kSwiglu}};
const EnumTable<models::ScaleUpKind> kScaleUpKinds = {
    {"nvswitch", models::ScaleUpKind::kNvSwitch},
    {"nvlink-bridge", models::ScaleUpKind::kNvLinkBridge},
    {"pcie", models::ScaleUpKind::kPcie},
    {"infinity-fabric", models::ScaleUpKind::kInfinityFabric}};
const EnumTable<models::Topology> kTopologies = {
    {"fat-tree", models::Topology::kFatTree},
    {"rail-optimized", models::Topology::kRailOptimized},
    {"single-switch", models::Topology::kSingleSwitch}};
// The all-reduce algorithms a scenario may pin (kDirect is NCCL's internal choice, not offered).
const EnumTable<models::Algorithm> kAlgorithms = {
    {"ring", models::Algorithm::kRing},
    {"tree", models::Algorithm::kTree},
    {"hierarchical", models::Algorithm::kHierarchical},
    {"nvls", models::Algorithm::kNvls}};
const EnumTable<models::Routing> kRoutings = {
    {"destination-mod-k", models::Routing::kDestinationModK},
    {"ecmp-hash", models::Routing::kEcmpHash}};

// The spellings of the contract's `pricing.model` (pricing::to_string gives the same).
const EnumTable<pricing::PricingModel> kPricingModelNames = {
    {"on-demand", pricing::PricingModel::kOnDemand},
    {"spot", pricing::PricingModel::kSpot},
    {"committed-1y", pricing::PricingModel::kCommitted1y},
    {"committed-3y", pricing::PricingModel::kCommitted3y}};

}  // namespace cirrus::scenarios
