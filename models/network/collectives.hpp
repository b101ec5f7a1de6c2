#pragma once
// Cost of NCCL collectives as NCCL's own tuner models them (src/graph/tuning.cc): for each
// algorithm (ring, tree) and protocol (LL, LL128, Simple), time = base latency + steps x
// per-hop latency + bus bytes / (link bandwidth x protocol efficiency); the cheapest wins,
// unless the scenario pins one. Bus bytes follow nccl-tests' definitions, so
// busbw = algbw x 2(n-1)/n for all-reduce and (n-1)/n for all-gather / reduce-scatter.
//
// This is the analytic network model (one formula per collective, no topology). The flow model
// (models/network/flow_collectives.hpp) lowers the same choice onto the cluster's links and takes
// its protocol latency and per-flow rate bound from here, with the TunerOptions refinements below,
// so that a collective alone on an idle cluster takes that tuner's time.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "common/enum_names.hpp"

namespace cirrus::models {

enum class CollectiveKind {
  kAllReduce,
  kAllGather,
  kReduceScatter,
  kAllToAll,
  kSendRecv,
  kBroadcast
};
// kRing and kTree are NCCL's ring and double binary tree; kNvls NVLink SHARP (all-reduce inside
// one NVSwitch-gen-3 node); kHierarchical an intra-node reduce-scatter, inter-node all-reduce
// and intra-node all-gather (never chosen by the tuner, only on request); kDirect the
// point-to-point pattern of all-to-all and send/recv.
enum class Algorithm { kRing, kTree, kNvls, kHierarchical, kDirect };
enum class Protocol { kLL, kLL128, kSimple };
enum class LinkClass { kNvLink, kPcie, kNetwork };
const char* to_string(CollectiveKind k);
const char* to_string(Algorithm a);
inline constexpr EnumNames<Algorithm, 5> kAlgorithmNames = {
    {{Algorithm::kRing, "ring"},
     {Algorithm::kTree, "tree"},
     {Algorithm::kHierarchical, "hierarchical"},
     {Algorithm::kNvls, "nvls"},
     {Algorithm::kDirect, "direct"}}};
const char* to_string(Protocol p);
const char* to_string(LinkClass c);
// The spellings of to_string (and "all-reduce" style with dashes for kinds); nullopt otherwise.
std::optional<CollectiveKind> collective_kind_from_string(std::string_view s);
std::optional<Algorithm> algorithm_from_string(std::string_view s);
std::vector<std::string> collective_kind_names();

// Bytes each rank sends (= receives) for a collective of `bytes` (the nccl-tests size: the
// buffer of all-reduce / broadcast, the gathered output of all-gather, the input of
// reduce-scatter) over n ranks.
double bus_bytes(CollectiveKind kind, double bytes, int n);
// nccl-tests' busbw factor: bus_bytes / bytes.
double bus_factor(CollectiveKind kind, int n);

struct LinkPath {
  LinkClass link = LinkClass::kNvLink;  // the slowest class of link the algorithm crosses
  double bandwidth = 0;                 // bytes/s per rank per direction on that link
  int hops_intra = 0;                   // ring steps on the scale-up link (per pass)
  int hops_inter = 0;                   // ring steps across the network (per pass)
};

struct CollectiveCost {
  double seconds = 0;
  double latency_s = 0;  // the fixed part
  double bus_bytes = 0;
  double rate_cap = 0;  // bus bytes/s the protocol sustains on an idle link
  Algorithm algorithm = Algorithm::kRing;
  Protocol protocol = Protocol::kSimple;
  bool from_profile = false;  // the time is a calibration profile's measured busbw
};

// The NCCL-tuner choice for a collective over `n` ranks of which `per_node` share a node.
// All-to-all is point-to-point (Algorithm::kDirect): every rank's sends to its per_node - 1
// node peers over the scale-up link and to the n - per_node others across the network at once,
// as the flow model lowers it (unless TunerOptions::only forces the ring model).
CollectiveCost collective_cost(CollectiveKind kind, double bytes, int n, int per_node,
                               double intra_bw, double inter_bw);

// Refinements of the tuner that the analytic model (the overload above, which the step
// builder calls) does not apply, so that its results stay what they were.
struct TunerOptions {
  // Only this algorithm (kRing or kTree): the best protocol for it. The tree is all-reduce only
  // (std::invalid_argument otherwise); forced on one node it is NCCL's chain through the node's
  // GPUs, which the unrestricted tuner never picks there.
  std::optional<Algorithm> only;
  // Bytes of each ring slice that the next step overlaps with the slice still crossing the link
  // (the loop-granularity fill charges slice - overlap per step). 0 is the analytic model.
  double step_overlap_bytes = 0;
  // Across nodes, bound the ring by both link classes it crosses: the network's and the
  // scale-up link's sustained rates (Simple efficiency of each). The analytic model takes the
  // class of the slower raw rate only, which overstates a node whose NICs nearly match its
  // NVLink (8 x 400 Gb/s = 400 GB/s against H100's 450 GB/s at 0.80 = 360).
  bool both_link_classes = false;
  // Latency each network hop adds beyond NCCL's own figure (which it tunes for InfiniBand):
  // NodeSpec::nic_extra_latency_s of the cluster's node (EFA's, from AWS's nccl-tests).
  double extra_network_hop_s = 0;
  // The nodes have NVLink SHARP (NVSwitch gen 3): a multi-node tree reduces inside each node in
  // the switch (NCCL's NVLS_TREE).
  bool nvls_nodes = false;
};

// The overlap the flow model uses: 24 KiB, fitted to the Azure 8x A100 all-reduce curve
// (nccl-tests, data/reference/nccl_busbw.json): from 1 MB to 8 GB the largest error falls
// from 11.5% (1 MB) to 8.9% (16 MB). A fitted constant, not a datasheet figure; a calibration
// profile replaces the whole curve.
inline constexpr double kFlowStepOverlapBytes = 24.0 * 1024.0;

CollectiveCost collective_cost(CollectiveKind kind, double bytes, int n, int per_node,
                               double intra_bw, double inter_bw, const TunerOptions& tuner);

// NVLink SHARP all-reduce over `n` GPUs of one NVSwitch-gen-3 node (NodeSpec::nvls): the
// switch reduces (multimem.ld_reduce) and multicasts (multimem.st), so each GPU moves
// bytes x (n+1)/n per direction instead of the ring's 2(n-1)/n. Simple protocol only.
CollectiveCost nvls_cost(double bytes, int n, double scale_up_bw);
// Bytes each GPU moves per direction over its NVLink port in an NVLS all-reduce.
double nvls_link_bytes(double bytes, int n);

// Fraction of a link's rate that NCCL's Simple protocol sustains on that link class: the flow
// model's link capacities are the raw rates times this.
double simple_efficiency(LinkClass c);

// A measured bus bandwidth (bytes/s) for a collective of `bytes` over `ranks` GPUs spread over
// `nodes` nodes, or nullopt where the profile has no figure. The calibration module supplies
// one; where it answers, its figure replaces the tuner's (time = bus bytes / busbw).
using BusBwProfile =
    std::function<std::optional<double>(CollectiveKind kind, double bytes, int ranks, int nodes)>;

}  // namespace cirrus::models
