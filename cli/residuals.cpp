#include "cli/residuals.hpp"

#include "cli/commands.hpp"
#include "scenarios/residuals.hpp"

namespace cirrus::cli {

std::shared_ptr<const models::ResidualStats> shipped_residuals() {
  return scenarios::shared_residuals(data_path("validation/residuals.json"));
}

}  // namespace cirrus::cli
