#include "models/workload/strategy.hpp"
#include "common/enum_names.hpp"

namespace cirrus::models {

const char* to_string(Schedule s) { return name_in(kScheduleNames, s); }

const char* to_string(Recompute r) { return name_in(kRecomputeNames, r); }

const char* to_string(Optimizer o) { return name_in(kOptimizerNames, o); }

const char* to_string(Kernels k) { return name_in(kKernelsNames, k); }

}  // namespace cirrus::models
