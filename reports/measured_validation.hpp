#pragma once
// The renderer of `validate` on a measured-step dataset (app/measured_validation.hpp): each
// row's measured step beside the datasheet and the profile predictions with their errors, and
// the MAPE of each column; as a table or JSON.
#include <string>

#include "app/measured_validation.hpp"

namespace cirrus::reports {

// `format`: "table" or "json".
std::string render_measured_validation(const app::MeasuredValidation& v, const std::string& format);

}  // namespace cirrus::reports
