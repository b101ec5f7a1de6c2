#include "app/profiles.hpp"

#include <fmt/format.h>
#include <filesystem>
#include <optional>
#include <vector>

#include "app/paths.hpp"
#include "app/public_profile.hpp"
#include "calibrate/profile_io.hpp"
#include "common/input_error.hpp"

namespace cirrus::app {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<const models::ProfileLookup> index_profile(const models::Profile& p,
                                                           const models::GpuSpec& gpu,
                                                           const std::string& file,
                                                           const std::string& path) {
  if (!p.device.gpu.empty() && p.device.gpu != gpu.id) {
    throw InputError(file, path,
                     fmt::format("a profile measured on the cluster's GPU ({})", gpu.id),
                     fmt::format("a profile of {} ({})", p.device.gpu, p.device.name));
  }
  return std::make_shared<const models::ProfileLookup>(p);
}

}  // namespace

namespace {

// The profile file a scenario names, read; nullopt when it names none.
std::optional<models::Profile> read_scenario_profile(const scenarios::Scenario& s) {
  const std::string& scenario_file = s.file;
  if (s.profile.empty()) return std::nullopt;
  const fs::path given(s.profile);
  std::vector<fs::path> candidates;
  if (given.is_absolute()) {
    candidates.push_back(given);
  } else {
    candidates.push_back(fs::path(scenario_file).parent_path() / given);
    candidates.push_back(given);
    candidates.push_back(fs::path(source_path(s.profile)));
  }
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) return calibrate::read_profile(c.string());
  }
  throw InputError(scenario_file, "cluster.profile",
                   "a calibration profile file (looked for beside the scenario, in the working "
                   "directory and in the source tree)",
                   fmt::format("\"{}\", which does not exist", s.profile));
}

}  // namespace

std::shared_ptr<const models::ProfileLookup> scenario_profile(const scenarios::Scenario& s,
                                                              const models::NodeSpec& node,
                                                              const ProfileDefaults& defaults) {
  if (const auto p = read_scenario_profile(s)) {
    return index_profile(*p, node.gpu, s.file, "cluster.profile");
  }
  return defaults.public_profile ? public_profile(node) : nullptr;
}

void attach_scenario_profile(const scenarios::Scenario& s, plan::SearchSpace& space,
                             const ProfileDefaults& defaults) {
  const auto p = read_scenario_profile(s);
  std::shared_ptr<const models::ProfileLookup> lookup;
  std::string gpus;
  for (auto& inst : space.instances) {
    if (!p || (!p->device.gpu.empty() && p->device.gpu != inst.node.gpu.id)) {
      if (defaults.public_profile) inst.profile = public_profile(inst.node);
      if (gpus.find(inst.node.gpu.id) == std::string::npos) {
        gpus += (gpus.empty() ? "" : ", ") + inst.node.gpu.id;
      }
      continue;
    }
    if (!lookup) lookup = std::make_shared<const models::ProfileLookup>(*p);
    inst.profile = lookup;
  }
  if (p && !lookup) {
    throw InputError(s.file, "cluster.profile",
                     fmt::format("a profile measured on a GPU of the search ({})", gpus),
                     fmt::format("a profile of {} ({})", p->device.gpu, p->device.name));
  }
}

std::shared_ptr<const models::ProfileLookup> profile_from_file(const std::string& path,
                                                               const models::GpuSpec& gpu) {
  return index_profile(calibrate::read_profile(path), gpu, path, "device.gpu");
}

}  // namespace cirrus::app
