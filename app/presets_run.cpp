#include "app/presets_run.hpp"

#include <algorithm>

#include "app/paths.hpp"
#include "common/input_error.hpp"
#include "plan/auto_instances.hpp"

namespace cirrus::app {

// "finetune" (added) comes last, so the earlier sections keep their order.
std::vector<std::string> preset_sections() {
  return {"models", "nodes", "gpus", "instances", "finetune"};
}

std::unique_ptr<const Presets> run_presets(const PresetsRequest& request) {
  auto out = std::make_unique<Presets>();
  out->sections =
      request.section.empty() ? preset_sections() : std::vector<std::string>{request.section};
  const auto wants = [&](const char* s) {
    return std::find(out->sections.begin(), out->sections.end(), s) != out->sections.end();
  };
  if (!request.catalogs.empty() && !wants("instances")) {
    throw UsageError("--catalog: only the instances section reads catalogs");
  }
  if (wants("models")) {
    for (const auto& id : models::model_ids()) out->models.push_back(*models::find_model(id));
  }
  if (wants("nodes")) {
    for (const auto& id : models::node_ids()) out->nodes.push_back(*models::find_node(id));
  }
  if (wants("gpus")) {
    for (const auto& id : models::gpu_ids()) out->gpus.push_back(*models::find_gpu(id));
  }
  if (wants("instances")) {
    out->catalogs = pricing::load_catalogs(source_path("pricing/catalogs"), request.catalogs);
    for (const pricing::Instance* in : pricing::list_instances(out->catalogs, "")) {
      out->instances.push_back({in, plan::simulable(*in), plan::auto_skip_reason(*in)});
    }
  }
  if (wants("finetune")) out->finetune = models::finetune_presets();
  return out;
}

}  // namespace cirrus::app
