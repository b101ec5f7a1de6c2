#pragma once
// Measured collective curves to validate cirrus's collective model against (`cirrus validate`
// on a file like data/validation/nccl_2node_efa.json):
//
//   {"cirrus_collective_validation": 1, "title": "...", "source": "...",
//    "assumed": ["..."], "note": "...", "generated_by": "...",
//    "curves": [{"record_id": "...", "source": "...", "stated": "...", "note": "...",
//                "node": "aws-p5" (a preset id or an inline node object), "nodes": 2,
//                "gpus_per_node": 8 (default: all), "op": "all_reduce", "dtype": "float32",
//                "points": [{"bytes": 8, "time_us": 69.12, "busbw_gbs": 0.0}, ...]}]}
//
// A point is one nccl-tests line: the size in bytes, the measured time and the measured bus
// bandwidth as printed (GB/s, nccl-tests' definition).
#include <string>
#include <vector>

#include "models/network/cluster.hpp"
#include "models/network/collectives.hpp"

namespace cirrus::scenarios {

struct CollectivePoint {
  double bytes = 0;
  double time_us = 0;
  double busbw_gbs = 0;
};

struct CollectiveCurve {
  std::string id;
  std::string source;
  std::string stated;
  std::string note;
  models::ClusterSpec cluster;
  int gpus_per_node = 0;  // ranks per node (the first K GPUs of each node)
  models::CollectiveKind op = models::CollectiveKind::kAllReduce;
  std::string dtype;
  std::vector<CollectivePoint> points;
};

struct CollectiveValidationSet {
  std::string title;
  std::string source;
  std::string file;
  std::vector<std::string> assumptions;
  std::vector<CollectiveCurve> curves;
};

// True when the file is a collective dataset (it has "cirrus_collective_validation"); false
// for anything else, unreadable files included (the reader that follows reports those).
bool is_collective_validation_set(const std::string& path);

// Reads one. Throws InputError naming the file and JSON path.
CollectiveValidationSet load_collective_validation_set(const std::string& path);
CollectiveValidationSet parse_collective_validation_set(const std::string& text,
                                                        const std::string& path);

}  // namespace cirrus::scenarios
