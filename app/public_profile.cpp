#include "app/public_profile.hpp"

#include <fmt/format.h>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "app/paths.hpp"
#include "calibrate/profile_io.hpp"
#include "models/compute/profile_scaling.hpp"

namespace cirrus::app {
namespace {

struct Shipped {
  const char* gpu;
  const char* file;
};
constexpr Shipped kShipped[] = {
    {"a100-sxm-80gb", "calibrate/profiles/public/vidur-a100-sxm-80gb.json"},
    {"h100-sxm", "calibrate/profiles/public/vidur-h100-sxm.json"},
};

const Shipped* shipped_for(const std::string& gpu_id) {
  for (const Shipped& s : kShipped) {
    if (gpu_id == s.gpu) return &s;
  }
  return nullptr;
}

// The shipped profile standing for `gpu`: its own, else its twin's.
const Shipped* base_for(const models::GpuSpec& gpu) {
  if (const Shipped* s = shipped_for(gpu.id)) return s;
  if (!gpu.compute_twin.empty()) return shipped_for(gpu.compute_twin);
  return nullptr;
}

// Whether `node` has the scale-up of the DGX the base profile's collectives were measured on.
bool same_scale_up(const models::NodeSpec& node, const std::string& base_gpu) {
  const auto ref = models::find_node(models::node_preset_for_gpu(base_gpu));
  if (!ref) return false;
  return node.scale_up == ref->scale_up &&
         std::fabs(node.scale_up_bw - ref->scale_up_bw) <= 1e-9 * ref->scale_up_bw;
}

// Everything read or derived so far, behind one lock: files by path (null: missing), and the
// lookups by a key naming every input they depend on (null: no file).
struct Cache {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const models::Profile>> files;
  std::map<std::string, std::shared_ptr<const models::ProfileLookup>> lookups;
};

Cache& cache() {
  static Cache c;
  return c;
}

// Call with the lock held.
std::shared_ptr<const models::Profile> load(Cache& c, const std::string& relative) {
  const auto it = c.files.find(relative);
  if (it != c.files.end()) return it->second;
  std::shared_ptr<const models::Profile> p;
  const std::string path = source_path(relative);
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    p = std::make_shared<const models::Profile>(calibrate::read_profile(path));
  }
  c.files.emplace(relative, p);
  return p;
}

std::string key_of(const models::NodeSpec& node, bool collectives) {
  const auto& g = node.gpu;
  return fmt::format("{}|{:.17g}|{:.17g}|{}", g.id, g.sustained_clock, g.memory_bw, collectives);
}

// The profile for `node` from the shipped one of `base`: scaled to a twin, without the
// collectives when the node's scale-up is not the one they were measured on.
models::Profile derive(const models::Profile& shipped, const models::NodeSpec& node,
                       const Shipped& base, bool collectives) {
  models::Profile p = shipped;
  if (node.gpu.id != base.gpu) p = models::scaled_for(p, *models::find_gpu(base.gpu), node.gpu);
  if (!collectives && !p.collectives.empty()) {
    p.collectives.clear();
    std::erase_if(p.fits, [](const models::CurveFit& f) {
      return f.family == models::FitFamily::kCollective;
    });
    p.notes.push_back(fmt::format(
        "collectives not used for {}: they were measured on a {} node, whose scale-up this "
        "node does not have",
        node.display.empty() ? node.id : node.display, models::node_preset_for_gpu(base.gpu)));
  }
  return p;
}

}  // namespace

std::shared_ptr<const models::ProfileLookup> public_profile(const models::NodeSpec& node) {
  const Shipped* base = base_for(node.gpu);
  if (base == nullptr) return nullptr;
  const bool collectives = same_scale_up(node, base->gpu);
  const std::string key = key_of(node, collectives);
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  if (const auto it = c.lookups.find(key); it != c.lookups.end()) return it->second;
  std::shared_ptr<const models::ProfileLookup> lookup;
  if (const auto shipped = load(c, base->file)) {
    lookup =
        std::make_shared<const models::ProfileLookup>(derive(*shipped, node, *base, collectives));
  }
  c.lookups.emplace(key, lookup);  // null too: a missing file is looked for once
  return lookup;
}

}  // namespace cirrus::app
