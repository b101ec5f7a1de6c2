#include "models/network/collectives.hpp"
#include "common/enum_names.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace cirrus::models {
namespace {

// NCCL 2.18 src/graph/tuning.cc: base latency (us) by algorithm and protocol, and per-hop
// latency by link class. Index [algorithm][protocol] with protocols LL, LL128, Simple.
constexpr double kBaseLatencyUs[2][3] = {{6.8, 14.0, 0.0}, {6.6, 14.0, 8.4}};  // tree, ring
constexpr double kHopLatencyUs[3][2][3] = {
    {{0.6, 1.25, 4.0}, {0.6, 1.9, 3.4}},    // NVLink: tree, ring
    {{1.0, 1.9, 6.0}, {1.0, 2.5, 5.7}},     // PCIe
    {{5.0, 8.5, 14.0}, {2.7, 4.0, 14.0}}};  // network

// Achievable fraction of a link's rate for NCCL's Simple protocol. NVLink: NCCL maintainers
// state about 20% protocol overhead (nccl-tests #212: 370 of 450 GB/s on H100). Network: one
// HDR NIC sustains 24 of 25 GB/s and NDR 46-48 of 50 (nccl-tests #119, #290).
constexpr double kSimpleEfficiency[3] = {0.80, 0.80, 0.95};
// Protocol payload factors from the same tuner: LL128 carries 120 of 128 bytes (NCCL uses
// 0.92); LL writes 8-byte words of which 4 are flags and NCCL caps it at 1/4 of bus bandwidth
// for all-reduce and multi-node, 1/3 otherwise.
constexpr double kLL128Factor = 0.92;
constexpr double kTreeFactor = 0.92;  // NCCL's tree correction on bus bandwidth

// Loop granularity of NCCL's ring: each channel moves its share of the buffer in loops of
// n slices of at most one chunk (NCCL_BUFFSIZE 4 MiB / NCCL_STEPS 8 = 512 KiB for Simple), and
// every step of a loop waits for its slice to cross one link before the next step can use it.
// The last (or only) loop is therefore paid step by step: ring_steps x slice / channel rate.
// kRingChannels sets the loop size (channels x ranks x chunk): 4 is an assumption, the one
// global value that keeps the published 8x A100 all-reduce curve (Azure, nccl-tests, in
// data/reference/nccl_busbw.json) within 12% from 1 MB to 8 GB; a calibration profile
// replaces the whole curve.
constexpr double kChunkBytes = 512.0 * 1024.0;
constexpr double kRingChannels = 4.0;

// NVLink SHARP (NCCL 2.18 src/graph/tuning.cc, as recalled: NVLS runs the Simple protocol
// only, base latency 23 us). Its efficiency is fitted to the one published figure, 480 GB/s
// busbw on 8x H100 (nccl-tests #212, data/reference/nccl_busbw.json): busbw = 2(n-1)/n x
// bytes / t and each GPU moves (n+1)/n x bytes per direction, so at 8 GPUs the 450 GB/s port
// sustains 480 x (9/8) / (14/8) = 308.6 GB/s of it, 0.686. Multimem loads and stores sustain
// less of the link than the ring's copies (0.80). A calibration profile replaces it.
constexpr double kNvlsBaseLatencyUs = 23.0;
constexpr double kNvlsEfficiency = 480.0 * (9.0 / 8.0) / (14.0 / 8.0) / 450.0;

int index_of(LinkClass c) { return static_cast<int>(c); }

}  // namespace

constexpr EnumNames<CollectiveKind, 6> kCollectiveKindNames = {
    {{CollectiveKind::kAllReduce, "all_reduce"},
     {CollectiveKind::kAllGather, "all_gather"},
     {CollectiveKind::kReduceScatter, "reduce_scatter"},
     {CollectiveKind::kAllToAll, "all_to_all"},
     {CollectiveKind::kSendRecv, "send_recv"},
     {CollectiveKind::kBroadcast, "broadcast"}}};

const char* to_string(CollectiveKind k) { return name_in(kCollectiveKindNames, k); }
const char* to_string(Algorithm a) { return name_in(kAlgorithmNames, a); }
constexpr EnumNames<LinkClass, 3> kLinkClassNames = {
    {{LinkClass::kNvLink, "nvlink"}, {LinkClass::kPcie, "pcie"}, {LinkClass::kNetwork, "network"}}};

const char* to_string(LinkClass c) { return name_in(kLinkClassNames, c); }

namespace {
constexpr CollectiveKind kKinds[] = {CollectiveKind::kAllReduce,     CollectiveKind::kAllGather,
                                     CollectiveKind::kReduceScatter, CollectiveKind::kAllToAll,
                                     CollectiveKind::kSendRecv,      CollectiveKind::kBroadcast};
constexpr Algorithm kAlgorithms[] = {Algorithm::kRing, Algorithm::kTree, Algorithm::kNvls,
                                     Algorithm::kHierarchical, Algorithm::kDirect};

// "all-reduce" reads as "all_reduce": both spellings are in use.
std::string underscored(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}
}  // namespace

std::optional<CollectiveKind> collective_kind_from_string(std::string_view s) {
  const std::string u = underscored(s);
  for (const CollectiveKind k : kKinds) {
    if (u == to_string(k)) return k;
  }
  return std::nullopt;
}

std::optional<Algorithm> algorithm_from_string(std::string_view s) {
  for (const Algorithm a : kAlgorithms) {
    if (s == to_string(a)) return a;
  }
  return std::nullopt;
}

std::vector<std::string> collective_kind_names() {
  std::vector<std::string> out;
  for (const CollectiveKind k : kKinds) out.emplace_back(to_string(k));
  return out;
}

double simple_efficiency(LinkClass c) { return kSimpleEfficiency[index_of(c)]; }
constexpr EnumNames<Protocol, 3> kProtocolNames = {
    {{Protocol::kLL, "LL"}, {Protocol::kLL128, "LL128"}, {Protocol::kSimple, "Simple"}}};

const char* to_string(Protocol p) { return name_in(kProtocolNames, p); }

double bus_factor(CollectiveKind kind, int n) {
  if (n <= 1) return 0.0;
  const double r = static_cast<double>(n - 1) / n;
  switch (kind) {
    case CollectiveKind::kAllReduce:
      return 2.0 * r;
    case CollectiveKind::kAllGather:
    case CollectiveKind::kReduceScatter:
    case CollectiveKind::kAllToAll:
      return r;
    case CollectiveKind::kSendRecv:
    case CollectiveKind::kBroadcast:
      return 1.0;
  }
  return 1.0;
}

double bus_bytes(CollectiveKind kind, double bytes, int n) { return bytes * bus_factor(kind, n); }

namespace {

// The tuner over ring and tree (or only `only`); collective_cost's body, unchanged in its
// arithmetic so that the unrestricted results stay bit for bit what they were.
CollectiveCost tune(CollectiveKind kind, double bytes, int n, int per_node, double intra_bw,
                    double inter_bw, std::optional<Algorithm> only, double overlap,
                    bool both_classes, double extra_hop_us = 0.0, bool nvls_nodes = false) {
  CollectiveCost best;
  if (only) best.algorithm = *only;
  if (n <= 1 || bytes <= 0) return best;
  per_node = std::clamp(per_node, 1, n);
  const int nodes = (n + per_node - 1) / per_node;
  const bool multi_node = nodes > 1;
  // The slowest link class bounds the bandwidth: a ring that leaves the node moves each
  // rank's bus bytes through the node's NICs, shared by the `per_node` ranks of the group.
  LinkClass cls = LinkClass::kNvLink;
  double link_bw = intra_bw;
  if (multi_node) {
    const double net = inter_bw * per_node;
    if (per_node == 1 || net < intra_bw) {
      cls = LinkClass::kNetwork;
      link_bw = per_node == 1 ? inter_bw : net;
    }
  }
  const double bus = bus_bytes(kind, bytes, n);
  const int passes = kind == CollectiveKind::kAllReduce ? 2 : 1;
  const int ring_steps = kind == CollectiveKind::kSendRecv ? 1 : passes * (n - 1);
  const int inter_steps =
      multi_node ? (kind == CollectiveKind::kSendRecv ? 1 : passes * (nodes - 1)) : 0;
  const int intra_steps = ring_steps - inter_steps;
  const LinkClass intra_cls = LinkClass::kNvLink;

  best.seconds = std::numeric_limits<double>::infinity();
  best.bus_bytes = bus;
  for (int a = 0; a < 2; ++a) {
    const auto algo = a == 0 ? Algorithm::kTree : Algorithm::kRing;
    if (only && algo != *only) continue;
    // NCCL's tree is for all-reduce only.
    if (algo == Algorithm::kTree && kind != CollectiveKind::kAllReduce) continue;
    for (int p = 0; p < 3; ++p) {
      const auto proto = static_cast<Protocol>(p);
      // On one node NCCL's tree degenerates to a chain through every GPU: never better than
      // the ring, so the tuner only weighs it across nodes (unless asked for it).
      if (algo == Algorithm::kTree && !multi_node && !only) continue;
      double latency_us = kBaseLatencyUs[a][p];
      if (algo == Algorithm::kRing) {
        latency_us +=
            intra_steps * kHopLatencyUs[index_of(intra_cls)][a][p] +
            inter_steps * (kHopLatencyUs[index_of(LinkClass::kNetwork)][a][p] + extra_hop_us);
      } else {
        const double depth = std::ceil(std::log2(std::max(2, nodes)));
        latency_us +=
            2.0 * ((per_node - 1) * kHopLatencyUs[index_of(intra_cls)][a][p] +
                   (multi_node ? depth : 0.0) *
                       (kHopLatencyUs[index_of(LinkClass::kNetwork)][a][p] + extra_hop_us));
      }
      double bw = link_bw * kSimpleEfficiency[index_of(cls)];
      if (both_classes && multi_node && per_node > 1) {
        bw = std::min(inter_bw * per_node * kSimpleEfficiency[index_of(LinkClass::kNetwork)],
                      intra_bw * kSimpleEfficiency[index_of(intra_cls)]);
      }
      if (algo == Algorithm::kTree && multi_node) {
        // Across nodes the double binary tree pipelines the reduce up and the broadcast down:
        // on two nodes each moves the buffer once per direction over its NICs (algbw up to the
        // node's network rate: AWS's two-node nccl-tests on p4de reach 41.8 GB/s of 50;
        // data/validation/nccl_2node_efa.json). Inside each node the buffer runs a chain
        // up and back down, so every GPU sends 2(p-1)/p of it over its scale-up port; on
        // NVSwitch-gen-3 nodes NCCL reduces and broadcasts in the switch instead (its NVLS_TREE:
        // nvls_link_bytes per GPU, at the NVLS efficiency).
        // With more than two nodes a node internal to one of the two binary trees also sends to
        // two children: up to twice the buffer per direction (NCCL's own model halves the tree's
        // bandwidth throughout; two nodes are each a root and a leaf, and move it once).
        const double net = inter_bw * per_node * kSimpleEfficiency[index_of(LinkClass::kNetwork)] *
                           (nodes == 2 ? 1.0 : 0.5);
        const double intra =
            nvls_nodes && per_node > 1
                ? intra_bw * kNvlsEfficiency * bytes / nvls_link_bytes(bytes, per_node)
                : intra_bw * kSimpleEfficiency[index_of(intra_cls)] * per_node /
                      (2.0 * std::max(1, per_node - 1));
        bw = per_node > 1 ? std::min(net, intra) : net;
      }
      if (proto == Protocol::kLL128) bw *= kLL128Factor;
      if (proto == Protocol::kLL) {
        bw *= (multi_node || kind == CollectiveKind::kAllReduce) ? 0.25 : 1.0 / 3.0;
      }
      // Tree all-reduce, as an equivalent bus rate: across nodes (above) algbw = bw; on one node
      // a chain passes the buffer up and back down (algbw = busbw / 2 at best).
      if (algo == Algorithm::kTree) bw *= kTreeFactor * bus / ((multi_node ? 1.0 : 2.0) * bytes);
      double fill = 0;
      if (ring_steps > 0) {
        const double per_channel = bytes / kRingChannels;
        const double slice = std::min(kChunkBytes, per_channel / n);
        const double steps =
            algo == Algorithm::kRing
                ? ring_steps
                : 2.0 * ((per_node - 1) + std::ceil(std::log2(std::max(2, nodes))));
        fill = steps * std::max(0.0, slice - overlap) / (bw / kRingChannels);
      }
      const double t = latency_us * 1e-6 + bus / bw + fill;
      if (t < best.seconds) {
        best.seconds = t;
        best.latency_s = latency_us * 1e-6;
        best.rate_cap = bus / (t - latency_us * 1e-6);  // the fill stretches the transfer
        best.algorithm = algo;
        best.protocol = proto;
      }
    }
  }
  return best;
}

// NCCL runs all-to-all as grouped point-to-point sends (ncclSend/ncclRecv to every peer at
// once), which is how the flow model lowers it too: each rank sends S/n to each of the n - 1
// others, per_node - 1 of them over the scale-up link and n - per_node across the network, the
// two classes at the same time. A class is bounded by its link (raw rate x Simple efficiency)
// and by what its sends sustain on an idle link (the send/recv tuner's rate for S/n, times the
// peers); the slower class sets the time, after the larger of the two send/recv latencies.
CollectiveCost direct_all_to_all(double bytes, int n, int per_node, double intra_bw,
                                 double inter_bw, double overlap, double extra_hop_us = 0.0) {
  CollectiveCost c;
  c.algorithm = Algorithm::kDirect;
  if (n <= 1 || bytes <= 0) return c;
  per_node = std::clamp(per_node, 1, n);
  const double each = bytes / n;
  c.bus_bytes = bus_bytes(CollectiveKind::kAllToAll, bytes, n);
  double transfer = 0;
  auto peers_over = [&](int peers, int pair_per_node, double link_bw, LinkClass cls) {
    if (peers <= 0) return;
    const CollectiveCost one =
        tune(CollectiveKind::kSendRecv, each, 2, pair_per_node, intra_bw, inter_bw, std::nullopt,
             overlap, false, pair_per_node == 1 ? extra_hop_us : 0.0);
    const double rate = std::min(link_bw * kSimpleEfficiency[index_of(cls)], peers * one.rate_cap);
    transfer = std::max(transfer, peers * each / rate);
    c.latency_s = std::max(c.latency_s, one.latency_s);
    c.protocol = one.protocol;  // the network's when there are peers across it (set last)
  };
  peers_over(per_node - 1, 2, intra_bw, LinkClass::kNvLink);
  peers_over(n - per_node, 1, inter_bw, LinkClass::kNetwork);
  c.seconds = c.latency_s + transfer;
  c.rate_cap = transfer > 0 ? c.bus_bytes / transfer : 0;
  return c;
}

}  // namespace

CollectiveCost collective_cost(CollectiveKind kind, double bytes, int n, int per_node,
                               double intra_bw, double inter_bw) {
  if (kind == CollectiveKind::kAllToAll) {
    return direct_all_to_all(bytes, n, per_node, intra_bw, inter_bw, 0.0);
  }
  return tune(kind, bytes, n, per_node, intra_bw, inter_bw, std::nullopt, 0.0, false);
}

CollectiveCost collective_cost(CollectiveKind kind, double bytes, int n, int per_node,
                               double intra_bw, double inter_bw, const TunerOptions& tuner) {
  if (tuner.only) {
    const Algorithm only = *tuner.only;
    if (only != Algorithm::kRing && only != Algorithm::kTree) {
      throw std::invalid_argument(
          std::string("collective_cost: the tuner models ring and tree, not ") + to_string(only));
    }
    if (only == Algorithm::kTree && kind != CollectiveKind::kAllReduce) {
      throw std::invalid_argument(
          std::string("collective_cost: NCCL's tree runs all_reduce only, not ") + to_string(kind));
    }
  }
  if (!(tuner.step_overlap_bytes >= 0) || !std::isfinite(tuner.step_overlap_bytes)) {
    throw std::invalid_argument("collective_cost: step_overlap_bytes must be finite and >= 0");
  }
  if (kind == CollectiveKind::kAllToAll && !tuner.only) {
    return direct_all_to_all(bytes, n, per_node, intra_bw, inter_bw, tuner.step_overlap_bytes,
                             tuner.extra_network_hop_s * 1e6);
  }
  return tune(kind, bytes, n, per_node, intra_bw, inter_bw, tuner.only, tuner.step_overlap_bytes,
              tuner.both_link_classes, tuner.extra_network_hop_s * 1e6, tuner.nvls_nodes);
}

double nvls_link_bytes(double bytes, int n) {
  return n <= 1 ? 0.0 : bytes * static_cast<double>(n + 1) / n;
}

CollectiveCost nvls_cost(double bytes, int n, double scale_up_bw) {
  CollectiveCost c;
  c.algorithm = Algorithm::kNvls;
  c.protocol = Protocol::kSimple;
  if (n <= 1 || bytes <= 0) return c;
  c.bus_bytes = bus_bytes(CollectiveKind::kAllReduce, bytes, n);
  c.latency_s = kNvlsBaseLatencyUs * 1e-6;
  const double transfer = nvls_link_bytes(bytes, n) / (scale_up_bw * kNvlsEfficiency);
  c.seconds = c.latency_s + transfer;
  c.rate_cap = c.bus_bytes / transfer;
  return c;
}

}  // namespace cirrus::models
