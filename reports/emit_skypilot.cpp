#include "reports/emit_skypilot.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reports/emit_megatron.hpp"

namespace cirrus::reports {
namespace {

// SkyPilot's accelerator names by cirrus GPU id: the AcceleratorName column of
// skypilot-org/skypilot-catalog `catalogs/v8/<cloud>/vms.csv` (layout in
// docs/reference/pricing.md, section 2), which `sky show-gpus` lists and `accelerators:` takes.
// H100 is confirmed by SkyPilot's own example (distributed-jobs.rst, `accelerators: H100:8`); the
// others are recalled from those catalogs, not read from a stored copy. cirrus's importer reads
// the same names back (pricing/instance_table.cpp, gpu_id_for_accelerator).
struct AcceleratorName {
  const char* gpu;
  const char* name;
};
constexpr AcceleratorName kAccelerators[] = {
    {"h100-sxm", "H100"},
    {"h100-pcie", "H100"},
    {"h200-sxm", "H200"},
    {"a100-sxm-80gb", "A100-80GB"},
    {"a100-pcie-80gb", "A100-80GB"},
    {"a100-sxm-40gb", "A100"},
    {"l4", "L4"},
    {"l40s", "L40S"},
    {"a10g", "A10G"},
    {"a10", "A10"},
    {"v100-sxm-16gb", "V100"},
    {"v100-sxm-32gb", "V100-32GB"},
    {"mi300x", "MI300X"},
};
// Instances whose GPU SkyPilot names apart from the GPU's usual name: GCP's A3 Mega carries
// "H100-MEGA" in SkyPilot's GCP catalog (recalled, as above), and `accelerators: H100:8` would
// not match `instance_type: a3-megagpu-8g`.
constexpr AcceleratorName kInstanceAccelerators[] = {
    {"gcp:a3-megagpu-8g", "H100-MEGA"},
};

// A YAML scalar: plain when it holds only characters that cannot start or break one, else a
// double-quoted JSON string (valid YAML; invalid UTF-8 replaced).
std::string scalar(const std::string& s) {
  bool plain = !s.empty();
  for (const char ch : s) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '/';
    plain = plain && ok;
  }
  if (plain && s.front() != '-' && s.front() != '.') return s;
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string resources(const EmitConfig& c, std::string& comments) {
  std::string o = "resources:\n";
  const pricing::Instance* inst = c.instance;
  if (inst != nullptr) {
    // The catalog's region, whose prices the prediction quotes. A catalog region of "any" (every
    // region costs the same, e.g. Lambda) takes the scenario's region, or leaves the choice to
    // SkyPilot.
    std::string region = inst->region == "any" ? c.region : inst->region;
    if (!c.region.empty() && region != c.region) {
      comments += fmt::format(
          "# the scenario asks for region {}; the catalog's prices, and infra, are for {}\n",
          c.region, region);
    }
    o += fmt::format("  infra: {}\n",
                     scalar(region.empty() ? inst->provider : inst->provider + "/" + region));
    o += fmt::format("  instance_type: {}\n", scalar(inst->name));
  } else {
    comments += fmt::format(
        "# no catalog instance (node {}): infra and instance_type are left to SkyPilot\n",
        c.input.cluster.node.id);
  }
  if (const auto name = skypilot_accelerator(c.input.cluster.node.gpu.id, inst)) {
    o += fmt::format("  accelerators: {}:{}\n", *name, c.gpus_per_node());
  } else {
    comments += fmt::format(
        "# {} has no SkyPilot accelerator name in cirrus's table: accelerators "
        "not set\n",
        c.input.cluster.node.gpu.display);
  }
  o += fmt::format("  use_spot: {}\n", c.pricing == pricing::PricingModel::kSpot);
  if (c.pricing == pricing::PricingModel::kCommitted1y ||
      c.pricing == pricing::PricingModel::kCommitted3y) {
    comments +=
        fmt::format("# priced {}: the commitment is bought from the provider, outside the task\n",
                    pricing::to_string(c.pricing));
  }
  return o;
}

std::string envs(const EmitConfig& c) {
  const models::Strategy& s = c.input.strategy;
  const std::pair<const char*, long long> vars[] = {
      {"TP", s.tp},
      {"PP", s.pp},
      {"DP", s.dp},
      {"CP", s.cp},
      {"EP", s.ep},
      {"MICRO_BATCH", s.micro_batch},
      {"GLOBAL_BATCH", c.input.training.global_batch},
      {"SEQ_LEN", c.input.model.seq_len},
      // The rendezvous port; distributed-jobs.rst's example uses 8008.
      {"MASTER_PORT", 8008},
  };
  std::string o = "envs:\n";
  for (const auto& [name, value] : vars) o += fmt::format("  {}: \"{}\"\n", name, value);
  return o;
}

std::string run(const EmitConfig& c, const MegatronArgs& m, bool accelerators) {
  // SKYPILOT_NUM_GPUS_PER_NODE comes from `accelerators:`; without it the count is written out.
  const std::string nproc =
      accelerators ? "$SKYPILOT_NUM_GPUS_PER_NODE" : std::to_string(c.gpus_per_node());
  std::string o = "run: |\n";
  o += "  torchrun --nnodes=$SKYPILOT_NUM_NODES --node_rank=$SKYPILOT_NODE_RANK \\\n";
  o += fmt::format("    --nproc_per_node={} \\\n", nproc);
  o += "    --master_addr=$(echo \"$SKYPILOT_NODE_IPS\" | head -n1) --master_port=$MASTER_PORT "
       "\\\n";
  o += "    pretrain_gpt.py";
  for (const MegatronArg& a : m.args) {
    o += " \\\n    " + a.flag;
    if (!a.value.empty()) o += " " + (a.env.empty() ? a.value : "$" + a.env);
  }
  return o + "\n";
}

}  // namespace

std::string skypilot_name(std::string_view scenario_name) {
  std::string n;
  for (const char ch : scenario_name) {
    const char l = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) {
      n.push_back(l);
    } else if (!n.empty() && n.back() != '-') {
      n.push_back('-');
    }
    if (n.size() >= 63) break;
  }
  while (!n.empty() && n.back() == '-') n.pop_back();
  return n.empty() ? "cirrus" : n;
}

std::optional<std::string> skypilot_accelerator(const std::string& gpu_id,
                                                const pricing::Instance* instance) {
  if (instance != nullptr) {
    for (const auto& a : kInstanceAccelerators) {
      if (instance->id == a.gpu) return std::string(a.name);
    }
  }
  for (const auto& a : kAccelerators) {
    if (gpu_id == a.gpu) return std::string(a.name);
  }
  return std::nullopt;
}

std::string render_skypilot(const EmitConfig& c) {
  const MegatronArgs m = megatron_args(c);
  std::string comments;
  const std::string res = resources(c, comments);
  const bool accelerators =
      skypilot_accelerator(c.input.cluster.node.gpu.id, c.instance).has_value();
  std::string o = "# " + emit_header(c) + "\n";
  o += "# SkyPilot task (docs/source/reference/yaml-spec.rst); launch with `sky launch` on this "
       "file\n";
  o += comments;
  for (const std::string& n : m.notes) o += "# " + n + "\n";
  o += fmt::format("name: {}\n", skypilot_name(c.scenario_name));
  o += res;
  o += fmt::format("num_nodes: {}\n", c.nodes());
  o += envs(c);
  o += "# setup: not generated; the user provides the environment (Megatron-LM with "
       "pretrain_gpt.py in the working directory, PyTorch, Transformer Engine, the data)\n";
  o += run(c, m, accelerators);
  return o;
}

}  // namespace cirrus::reports
