// The cluster network: vertex and link counts of small builds counted by hand, routes that are
// shortest paths (checked against Boost's breadth-first search), deterministic ECMP that
// spreads, rail-optimized against fat-tree paths, NIC aggregation, and the refusals.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/units.hpp"
#include "models/hardware/hardware.hpp"
#include "models/network/topology.hpp"

using namespace cirrus;
using namespace cirrus::models;

namespace {

ClusterSpec cluster(const std::string& node, int nodes, Topology t = Topology::kFatTree,
                    double oversubscription = 1.0) {
  ClusterSpec c;
  c.node = *find_node(node);
  c.nodes = nodes;
  c.network.topology = t;
  c.network.oversubscription = oversubscription;
  return c;
}

// A small NVSwitch node: 2 GPUs, 2 NICs of 100 Gb/s.
NodeSpec tiny_node() {
  NodeSpec n = *find_node("dgx-a100-80gb");
  n.id = "tiny";
  n.gpus = 2;
  n.nics = 2;
  n.nic_bw = 100 * kGbps;
  return n;
}

std::vector<std::string> names(const NetworkTopology& t, const std::vector<LinkId>& route) {
  std::vector<std::string> out;
  for (const LinkId l : route) out.push_back(t.link_name(l));
  return out;
}

bool crosses(const NetworkTopology& t, const std::vector<LinkId>& route, VertexKind kind) {
  return std::any_of(route.begin(), route.end(), [&](LinkId l) {
    return t.vertex(t.link(l).to).kind == kind || t.vertex(t.link(l).from).kind == kind;
  });
}

}  // namespace

TEST_CASE("one DGX: 8 GPUs on an NVSwitch, no network", "[network][topology]") {
  const NetworkTopology t(cluster("dgx-a100-80gb", 1));
  // 8 GPUs + 1 NVSwitch; 8 cables of two directions.
  CHECK(t.vertex_count() == 9);
  CHECK(t.link_count() == 16);
  CHECK(t.tiers() == 0);
  CHECK(t.nic_ports_per_node() == 0);
  const auto r = t.route(0, 3);
  REQUIRE(r.size() == 2);
  CHECK(names(t, r) == std::vector<std::string>{"node 0 gpu 0 \u2192 node 0 nvswitch",
                                                "node 0 nvswitch \u2192 node 0 gpu 3"});
  CHECK(t.link(r[0]).capacity == Approx(300e9));
  CHECK(t.link(r[0]).link_class == LinkClass::kNvLink);
}

TEST_CASE("two and sixteen DGX A100 on a fat-tree, counted by hand", "[network][topology]") {
  SECTION("two nodes share one leaf") {
    // 16 GPUs + 2 NVSwitches + 16 NICs + 1 leaf = 35 vertices; cables: 16 GPU-NVSwitch,
    // 16 GPU-NIC, 16 NIC-leaf = 48, i.e. 96 links.
    const NetworkTopology t(cluster("dgx-a100-80gb", 2));
    CHECK(t.vertex_count() == 35);
    CHECK(t.link_count() == 96);
    CHECK(t.tiers() == 1);
    CHECK(t.leaves() == 1);
    const auto r = t.route(2, 8 + 2);
    CHECK(names(t, r) == std::vector<std::string>{
                             "node 0 gpu 2 \u2192 node 0 nic 2", "node 0 nic 2 \u2192 leaf 0",
                             "leaf 0 \u2192 node 1 nic 2", "node 1 nic 2 \u2192 node 1 gpu 2"});
    CHECK(t.link(r[1]).capacity == Approx(25e9));  // HDR 200 Gb/s
  }
  SECTION("sixteen nodes: four leaves of 32 ports (4 nodes each), 32 spines") {
    // 128 GPUs + 16 NVSwitches + 128 NICs + 4 leaves + 32 spines = 308 vertices; cables:
    // 128 + 128 + 128 + 4 x 32 leaf-spine = 512, i.e. 1024 links.
    const NetworkTopology t(cluster("dgx-a100-80gb", 16));
    CHECK(t.vertex_count() == 308);
    CHECK(t.link_count() == 1024);
    CHECK(t.tiers() == 2);
    CHECK(t.leaves() == 4);
    CHECK(t.spines() == 32);
    CHECK(t.leaf_uplinks() == 32);
    CHECK(t.leaf_of(3, 2) == 0);
    CHECK(t.leaf_of(4, 0) == 1);
    // Node 3 and node 4 sit under different leaves: up to a spine and down.
    const auto r = t.route(3 * 8 + 2, 4 * 8 + 2);
    REQUIRE(r.size() == 6);
    CHECK(t.link_name(r[1]) == "node 3 nic 2 \u2192 leaf 0");
    CHECK(t.vertex(t.link(r[2]).to).kind == VertexKind::kSpine);
    CHECK(t.shortest_hops(3 * 8 + 2, 4 * 8 + 2) == 6);
  }
}

TEST_CASE("three tiers from a small radix, routes are shortest paths", "[network][topology]") {
  // Radix 4: leaves of 2 down ports (one 2-NIC node each), so 8 nodes make 8 leaves > radix:
  // three tiers, pods of 2 leaves and 2 spines, 2 x 2 = 4 cores. Vertices: 16 GPUs + 8
  // NVSwitches + 16 NICs + 8 leaves + 8 spines + 4 cores = 60. Cables: 16 GPU-NVSwitch +
  // 16 GPU-NIC + 16 NIC-leaf + 8 x 2 leaf-spine + 8 x 2 spine-core = 80, i.e. 160 links.
  ClusterSpec c;
  c.node = tiny_node();
  c.nodes = 8;
  TopologyOptions o;
  o.switch_radix = 4;
  const NetworkTopology t(c, o);
  CHECK(t.tiers() == 3);
  CHECK(t.leaves() == 8);
  CHECK(t.spines() == 8);
  CHECK(t.cores() == 4);
  CHECK(t.vertex_count() == 60);
  CHECK(t.link_count() == 160);
  // Same node: 2; same pod (nodes 0, 1): 6; across pods (node 0 to node 7): 8.
  CHECK(t.route(0, 1).size() == 2);
  CHECK(t.route(0, 2).size() == 6);
  const auto far = t.route(0, 15);
  CHECK(far.size() == 8);
  CHECK(crosses(t, far, VertexKind::kCore));
  for (int a = 0; a < t.gpus(); ++a) {
    for (int b = 0; b < t.gpus(); ++b) {
      if (a == b) continue;
      const auto r = t.route(a, b, static_cast<std::uint32_t>(a + b));
      INFO("route " << a << " -> " << b);
      CHECK(static_cast<int>(r.size()) ==
            t.shortest_hops(static_cast<VertexId>(a), static_cast<VertexId>(b)));
      // A route is a chain of links from a to b.
      CHECK(t.link(r.front()).from == static_cast<VertexId>(a));
      CHECK(t.link(r.back()).to == static_cast<VertexId>(b));
      for (std::size_t i = 1; i < r.size(); ++i) CHECK(t.link(r[i - 1]).to == t.link(r[i]).from);
    }
  }
}

TEST_CASE("2,048 DGX H100 build a three-tier fat-tree", "[network][topology]") {
  // 16,384 NIC ports: 512 leaves of 32, pods of 32 leaves (16 pods), 32 spines per pod, and the
  // 32 x 32 cores of a radix-64 fat-tree.
  const NetworkTopology t(cluster("dgx-h100", 2048));
  CHECK(t.gpus() == 16384);
  CHECK(t.tiers() == 3);
  CHECK(t.leaves() == 512);
  CHECK(t.spines() == 512);
  CHECK(t.cores() == 1024);
  CHECK(t.vertex_count() == 16384 + 2048 + 16384 + 512 + 512 + 1024);
  CHECK(t.route(0, 16383).size() == 8);
}

TEST_CASE("ECMP is deterministic and spreads", "[network][topology]") {
  const ClusterSpec c = cluster("dgx-a100-80gb", 16);
  SECTION("hashed: same answer every time, flow indices spread over the spines") {
    TopologyOptions o;
    o.routing = Routing::kEcmpHash;
    const NetworkTopology a(c, o);
    const NetworkTopology b(c, o);
    std::set<VertexId> spines;
    for (std::uint32_t i = 0; i < 256; ++i) {
      const auto r = a.route(0, 127, i);
      CHECK(r == a.route(0, 127, i));
      CHECK(r == b.route(0, 127, i));
      spines.insert(a.link(r[2]).to);
    }
    // 256 hashed picks among 32 spines: all of them in use (a miss has odds ~ 32 x e^-8).
    CHECK(spines.size() == 32);
    // Hashing per flow: some pairs collide on a spine, as Ethernet ECMP does.
    std::vector<int> load(32, 0);
    for (int g = 0; g < 32; ++g) {
      const auto r = a.route(g, 32 + g, 0);
      ++load[static_cast<std::size_t>(a.vertex(a.link(r[2]).to).index)];
    }
    CHECK(*std::max_element(load.begin(), load.end()) >= 2);
  }
  SECTION("destination-based: one path per destination, shifts never collide") {
    const NetworkTopology a(c);
    // Every flow to node 4's GPU 3 takes the same spine, whatever its source or index.
    std::set<VertexId> to_one;
    for (int src = 0; src < 32; ++src) to_one.insert(a.link(a.route(src, 4 * 8 + 3, 7)[2]).to);
    CHECK(to_one.size() == 1);
    // Leaf 0's 32 NICs each sending to a distinct NIC of leaf 1 use 32 distinct spines.
    std::set<VertexId> spines;
    for (int g = 0; g < 32; ++g) spines.insert(a.link(a.route(g, 32 + (g + 5) % 32)[2]).to);
    CHECK(spines.size() == 32);
  }
}

TEST_CASE("rail-optimized keeps a rail under one leaf, fat-tree does not", "[network][topology]") {
  const NetworkTopology rail(cluster("dgx-a100-80gb", 16, Topology::kRailOptimized));
  const NetworkTopology fat(cluster("dgx-a100-80gb", 16, Topology::kFatTree));
  // Rail-optimized: one group of 16 nodes, 8 rail leaves (NIC r of every node on leaf r).
  CHECK(rail.leaves() == 8);
  CHECK(rail.leaf_of(0, 3) == 3);
  CHECK(rail.leaf_of(9, 3) == 3);
  // GPU 3 of node 0 to GPU 3 of node 9: same rail, under rail leaf 3, no spine.
  const auto same_rail = rail.route(3, 9 * 8 + 3);
  CHECK(same_rail.size() == 4);
  CHECK_FALSE(crosses(rail, same_rail, VertexKind::kSpine));
  CHECK(rail.link_name(same_rail[1]) == "node 0 nic 3 \u2192 leaf 3");
  // The fat-tree puts node 0 under leaf 0 and node 9 under leaf 2: up to a spine.
  const auto fat_same = fat.route(3, 9 * 8 + 3);
  CHECK(fat_same.size() == 6);
  CHECK(crosses(fat, fat_same, VertexKind::kSpine));
  // Cross-rail (GPU 3 to GPU 5) goes up to the spine on the rail fabric...
  const auto cross_rail = rail.route(3, 9 * 8 + 5);
  CHECK(cross_rail.size() == 6);
  CHECK(crosses(rail, cross_rail, VertexKind::kSpine));
  // ...and stays under one leaf on the fat-tree for two nodes of the same leaf (0 and 1).
  CHECK_FALSE(crosses(fat, fat.route(3, 1 * 8 + 5), VertexKind::kSpine));
}

TEST_CASE("NICs: p5's 32 are 4 per GPU used together, p4d's 4 are shared by pairs",
          "[network][topology]") {
  const NetworkTopology p5(cluster("aws-p5", 2));
  CHECK(p5.nic_ports_per_node() == 8);
  CHECK(p5.nic_port_rate() == Approx(4 * 100 * kGbps));  // 50 GB/s per GPU
  for (int g = 0; g < 8; ++g) CHECK(p5.nic_of(g) == g);
  const NetworkTopology p4d(cluster("aws-p4d", 2));
  CHECK(p4d.nic_ports_per_node() == 4);
  CHECK(p4d.nic_port_rate() == Approx(100 * kGbps));
  // GPU g uses NIC floor(g x 4 / 8).
  const std::vector<int> expect = {0, 0, 1, 1, 2, 2, 3, 3};
  for (int g = 0; g < 8; ++g) CHECK(p4d.nic_of(8 + g) == expect[static_cast<std::size_t>(g)]);
}

TEST_CASE("PCIe nodes: GPUs and the NIC hang off one PCIe switch", "[network][topology]") {
  // 16 GPUs + 2 PCIe switches + 2 NICs (one 100 Gb/s NIC per node) + 1 leaf = 21 vertices.
  const NetworkTopology t(cluster("l4-x8", 2));
  CHECK(t.vertex_count() == 21);
  const auto r = t.route(0, 8 + 5);
  CHECK(names(t, r) == std::vector<std::string>{
                           "node 0 gpu 0 \u2192 node 0 pcie switch",
                           "node 0 pcie switch \u2192 node 0 nic 0", "node 0 nic 0 \u2192 leaf 0",
                           "leaf 0 \u2192 node 1 nic 0", "node 1 nic 0 \u2192 node 1 pcie switch",
                           "node 1 pcie switch \u2192 node 1 gpu 5"});
  CHECK(t.link(r[0]).link_class == LinkClass::kPcie);
}

TEST_CASE("oversubscription above the leaf: fewer uplinks, same aggregate ratio",
          "[network][topology]") {
  // 32 down ports of 25 GB/s per leaf. 2:1 -> 16 uplinks of 25 GB/s; 4:1 -> 8; 3:1 -> 11
  // uplinks of 32 x 25 / (3 x 11) GB/s, so that up = down / 3 exactly.
  for (const double o : {1.0, 2.0, 3.0, 4.0}) {
    const NetworkTopology t(cluster("dgx-a100-80gb", 16, Topology::kFatTree, o));
    const int u = o == 3.0 ? 11 : static_cast<int>(32 / o);
    CHECK(t.leaf_uplinks() == u);
    const auto r = t.route(0, 127);
    CHECK(u * t.link(r[2]).capacity == Approx(32 * 25e9 / o));
  }
}

TEST_CASE("a network that cannot be built is refused with a clear message", "[network][topology]") {
  auto refuses = [](const ClusterSpec& c, const std::string& fragment,
                    const TopologyOptions& o = {}) {
    try {
      const NetworkTopology t(c, o);
      FAIL("built: " << t.vertex_count());
    } catch (const TopologyError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(fragment) != std::string::npos);
    }
  };
  ClusterSpec c = cluster("dgx-a100-80gb", 2);
  c.node.nics = 0;
  refuses(c, "cannot connect the GPUs: 2 nodes but node 'dgx-a100-80gb' has no NICs");
  c = cluster("dgx-a100-80gb", 2);
  c.node.nic_bw = 0;
  refuses(c, "NIC rate must be > 0");
  c.node.nic_bw = -5;
  refuses(c, "NIC rate must be > 0");
  c = cluster("dgx-a100-80gb", 1);
  c.node.scale_up_bw = 0;
  refuses(c, "scale-up link rate must be > 0");
  refuses(cluster("dgx-a100-80gb", 4, Topology::kFatTree, 0.5), "oversubscription must be");
  refuses(cluster("dgx-a100-80gb", 4, Topology::kFatTree, 0.0), "found 0");
  TopologyOptions odd;
  odd.switch_radix = 5;
  refuses(cluster("dgx-a100-80gb", 4), "radix", odd);
  c = cluster("dgx-a100-80gb", 0);
  refuses(c, "nodes must be >= 1");
  // One node needs no NIC at all.
  c = cluster("dgx-a100-80gb", 1);
  c.node.nics = 0;
  CHECK_NOTHROW(NetworkTopology(c));
  // It is an invalid_argument for callers that do not know the type.
  CHECK_THROWS_AS(NetworkTopology(cluster("dgx-a100-80gb", 4, Topology::kFatTree, 0.5)),
                  std::invalid_argument);
}
