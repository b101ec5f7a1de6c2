#pragma once
// The calibration profile a scenario's step is timed with, read and indexed once:
//   1. the profile the scenario names (`cluster.profile`), when it was measured on the
//      cluster's GPU (a user's own profile always wins);
//   2. else, unless the command ran with --no-public-profile, the public profile shipped for the
//      GPU or its compute twin (app/public_profile.hpp);
//   3. else none: datasheet figures.
//
// A relative `cluster.profile` is looked up beside the scenario file first, then from the
// working directory, then in the source tree (where `calibrate/profiles/` ships). A profile
// measured on another GPU than the cluster's is refused: its kernel rates say nothing about
// this GPU.
#include <memory>
#include <string>

#include "models/compute/profile.hpp"
#include "models/hardware/hardware.hpp"
#include "plan/search_space.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::app {

// Whether a command falls back to the shipped public profiles (`--no-public-profile` sets
// false: datasheet figures wherever the scenario names no profile).
struct ProfileDefaults {
  bool public_profile = true;
};

// Null when the scenario names no profile and there is no public default (or it was turned
// off). Throws InputError (at cluster.profile) for a file that cannot be found or belongs to
// another GPU, and the profile reader's InputError for a malformed profile.
std::shared_ptr<const models::ProfileLookup> scenario_profile(const scenarios::Scenario& s,
                                                              const models::NodeSpec& node,
                                                              const ProfileDefaults& defaults);

// For a plan: gives the scenario's profile to every instance with the profile's GPU, and the
// public default to every other instance that has one. Refuses (InputError at
// cluster.profile) a profile whose GPU no instance of the search has.
void attach_scenario_profile(const scenarios::Scenario& s, plan::SearchSpace& space,
                             const ProfileDefaults& defaults);

// The same for a profile given on the command line (`--profile FILE`).
std::shared_ptr<const models::ProfileLookup> profile_from_file(const std::string& path,
                                                               const models::GpuSpec& gpu);

}  // namespace cirrus::app
