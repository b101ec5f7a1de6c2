#pragma once
// The calibration profile a scenario names (`cluster.profile`), read and indexed once.
//
// A relative path is looked up beside the scenario file first, then from the working
// directory, then in the source tree (where `calibrate/profiles/` ships). A profile measured on
// another GPU than the cluster's is refused: its kernel rates say nothing about this GPU.
#include <memory>
#include <string>

#include "models/hardware.hpp"
#include "models/profile.hpp"
#include "plan/search_space.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::cli {

// Null when the scenario names no profile. Throws InputError (at cluster.profile) for a file
// that cannot be found or belongs to another GPU, and the profile reader's InputError for a
// malformed profile.
std::shared_ptr<const models::ProfileLookup> scenario_profile(const scenarios::Scenario& s,
                                                              const models::GpuSpec& gpu);

// For a plan: gives the profile to every instance with the profile's GPU. Refuses (InputError
// at cluster.profile) a profile whose GPU no instance of the search has.
void attach_scenario_profile(const scenarios::Scenario& s, plan::SearchSpace& space);

// The same for a profile given on the command line (`--profile FILE`).
std::shared_ptr<const models::ProfileLookup> profile_from_file(const std::string& path,
                                                               const models::GpuSpec& gpu);

}  // namespace cirrus::cli
