#include "reports/emit_render.hpp"

#include <stdexcept>

#include "reports/emit_megatron.hpp"
#include "reports/emit_skypilot.hpp"

namespace cirrus::reports {

std::string render_emit(const EmitConfig& config, const std::string& kind) {
  if (kind == "skypilot") return render_skypilot(config);
  if (kind == "megatron") return render_megatron(config);
  throw std::invalid_argument("render_emit: unknown kind " + kind);
}

}  // namespace cirrus::reports
