#pragma once
// Cost of NCCL collectives as NCCL's own tuner models them (src/graph/tuning.cc): for each
// algorithm (ring, tree) and protocol (LL, LL128, Simple), time = base latency + steps x
// per-hop latency + bus bytes / (link bandwidth x protocol efficiency); the cheapest wins,
// unless the scenario pins one. Bus bytes follow nccl-tests' definitions, so
// busbw = algbw x 2(n-1)/n for all-reduce and (n-1)/n for all-gather / reduce-scatter.
#include <string>

namespace cirrus::models {

enum class CollectiveKind { kAllReduce, kAllGather, kReduceScatter, kAllToAll, kSendRecv,
                            kBroadcast };
enum class Algorithm { kRing, kTree };
enum class Protocol { kLL, kLL128, kSimple };
enum class LinkClass { kNvLink, kPcie, kNetwork };
const char* to_string(CollectiveKind k);
const char* to_string(Algorithm a);
const char* to_string(Protocol p);

// Bytes each rank sends (= receives) for a collective of `bytes` (the nccl-tests size: the
// buffer of all-reduce / broadcast, the gathered output of all-gather, the input of
// reduce-scatter) over n ranks.
double bus_bytes(CollectiveKind kind, double bytes, int n);
// nccl-tests' busbw factor: bus_bytes / bytes.
double bus_factor(CollectiveKind kind, int n);

struct LinkPath {
  LinkClass link = LinkClass::kNvLink;  // the slowest class of link the algorithm crosses
  double bandwidth = 0;                  // bytes/s per rank per direction on that link
  int hops_intra = 0;                    // ring steps on the scale-up link (per pass)
  int hops_inter = 0;                    // ring steps across the network (per pass)
};

struct CollectiveCost {
  double seconds = 0;
  double latency_s = 0;    // the fixed part
  double bus_bytes = 0;
  double rate_cap = 0;     // bus bytes/s the protocol sustains on an idle link
  Algorithm algorithm = Algorithm::kRing;
  Protocol protocol = Protocol::kSimple;
};

// The NCCL-tuner choice for a collective over `n` ranks of which `per_node` share a node.
CollectiveCost collective_cost(CollectiveKind kind, double bytes, int n, int per_node,
                               double intra_bw, double inter_bw);

}  // namespace cirrus::models
