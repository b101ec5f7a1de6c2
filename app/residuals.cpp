#include "app/residuals.hpp"

#include "app/paths.hpp"
#include "scenarios/residuals.hpp"

namespace cirrus::app {

std::shared_ptr<const models::ResidualStats> shipped_residuals() {
  return scenarios::shared_residuals(data_path("validation/residuals.json"));
}

}  // namespace cirrus::app
