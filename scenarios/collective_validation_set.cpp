#include "scenarios/collective_validation_set.hpp"

#include <fmt/format.h>

#include "common/json_reader.hpp"
#include "common/read_file.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::scenarios {

bool is_collective_validation_set(const std::string& path) {
  try {
    const auto j = nlohmann::json::parse(read_file(path));
    return j.is_object() && j.contains("cirrus_collective_validation");
  } catch (const std::exception&) {
    return false;
  }
}

CollectiveValidationSet load_collective_validation_set(const std::string& path) {
  return parse_collective_validation_set(read_file(path), path);
}

CollectiveValidationSet parse_collective_validation_set(const std::string& text,
                                                        const std::string& path) {
  const nlohmann::json doc = JsonNode::parse(text, path);
  const JsonNode root(doc, path, "");
  if (!root.is_object()) root.fail("a collective validation dataset object");
  root.check_keys({"cirrus_collective_validation", "title", "source", "assumed", "note",
                   "generated_by", "curves"});
  const JsonNode version = root.at("cirrus_collective_validation");
  if (version.as_int() != 1) version.fail("version 1");
  CollectiveValidationSet set;
  set.file = path;
  set.title = root.at("title").as_string();
  set.source = root.at("source").as_string();
  if (auto v = root.find("note")) v->as_string();
  if (auto v = root.find("generated_by")) v->as_string();
  if (auto v = root.find("assumed")) {
    if (!v->is_array()) v->fail("a list of strings");
    for (std::size_t i = 0; i < v->size(); ++i) set.assumptions.push_back(v->index(i).as_string());
  }
  const JsonNode curves = root.at("curves");
  if (!curves.is_array() || curves.size() == 0) curves.fail("a non-empty list of curves");
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const JsonNode c = curves.index(i);
    if (!c.is_object()) c.fail("a curve object");
    c.check_keys({"record_id", "source", "stated", "note", "node", "nodes", "gpus_per_node", "op",
                  "dtype", "points"});
    CollectiveCurve curve;
    curve.id = c.at("record_id").as_string();
    if (auto v = c.find("source")) curve.source = v->as_string();
    if (auto v = c.find("stated")) curve.stated = v->as_string();
    if (auto v = c.find("note")) curve.note = v->as_string();
    curve.cluster.node = read_node(c.at("node"));
    const JsonNode nodes = c.at("nodes");
    const auto n = nodes.as_positive_int();
    if (n > (1 << 20)) nodes.fail("a positive number of nodes up to 1048576");
    curve.cluster.nodes = static_cast<int>(n);
    curve.gpus_per_node = curve.cluster.node.gpus;
    if (auto v = c.find("gpus_per_node")) {
      const auto k = v->as_positive_int();
      if (k > curve.cluster.node.gpus) {
        v->fail(fmt::format("1 to {} (the node's GPUs)", curve.cluster.node.gpus));
      }
      curve.gpus_per_node = static_cast<int>(k);
    }
    const JsonNode op = c.at("op");
    const auto kind = models::collective_kind_from_string(op.as_string());
    if (!kind)
      op.fail(fmt::format("a collective ({})", fmt::join(models::collective_kind_names(), ", ")));
    curve.op = *kind;
    if (auto v = c.find("dtype")) curve.dtype = v->as_string();
    const JsonNode points = c.at("points");
    if (!points.is_array() || points.size() == 0) points.fail("a non-empty list of points");
    for (std::size_t k = 0; k < points.size(); ++k) {
      const JsonNode p = points.index(k);
      if (!p.is_object()) p.fail("a point {bytes, time_us, busbw_gbs}");
      p.check_keys({"bytes", "time_us", "busbw_gbs"});
      CollectivePoint point;
      point.bytes = static_cast<double>(p.at("bytes").as_positive_int());
      point.time_us = p.at("time_us").as_positive();
      if (auto v = p.find("busbw_gbs")) point.busbw_gbs = v->as_non_negative();
      curve.points.push_back(point);
    }
    set.curves.push_back(std::move(curve));
  }
  return set;
}

}  // namespace cirrus::scenarios
